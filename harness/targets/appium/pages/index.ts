import type { CameraFeed } from '../cameraFeed';
import type { ResolvedScreen } from '../../../../agent/selectors/selectors';
import type { AppiumSession } from '../session';
import { QrReaderPage } from './QrReaderPage';
import { ScreenPage } from './ScreenPage';
import { TokenEntryPage } from './TokenEntryPage';

export { QrReaderPage, ScreenPage, TokenEntryPage };

/**
 * The page object for a screen. Every screen's buttons are performed through ScreenPage.perform from the
 * catalogue (the model event each sends); only the QR reader (a camera, not a button) and the token
 * entry (a typed token, then Next) have a page of their own, because the Appium target needs theirs.
 */
export function pageFor(session: AppiumSession, screen: ResolvedScreen, camera: CameraFeed): ScreenPage {
  if (screen.id === 'qr-reader') return new QrReaderPage(session, screen, camera);
  if (screen.id === 'token-entry') return new TokenEntryPage(session, screen);
  return new ScreenPage(session, screen);
}
