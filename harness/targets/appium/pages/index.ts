import type { CameraFeed } from '../cameraFeed';
import type { ResolvedScreen } from '../../../../agent/selectors/selectors';
import type { AppiumSession } from '../session';
import { EnrolledPage } from './EnrolledPage';
import { EnrollmentInProgressPage } from './EnrollmentInProgressPage';
import { HomePage } from './HomePage';
import { IntuneSignInPage } from './IntuneSignInPage';
import { NetworkPage } from './NetworkPage';
import { PermissionsPage } from './PermissionsPage';
import { QrReaderPage } from './QrReaderPage';
import { ScreenPage } from './ScreenPage';
import { SignInPage } from './SignInPage';
import { TokenEntryPage } from './TokenEntryPage';
import { WelcomePage } from './WelcomePage';
import { WorkProfilePage } from './WorkProfilePage';

export {
  EnrolledPage,
  EnrollmentInProgressPage,
  HomePage,
  IntuneSignInPage,
  NetworkPage,
  PermissionsPage,
  QrReaderPage,
  ScreenPage,
  SignInPage,
  TokenEntryPage,
  WelcomePage,
  WorkProfilePage,
};

type PageClass = new (session: AppiumSession, screen: ResolvedScreen) => ScreenPage;

const PAGES: Record<string, PageClass> = {
  welcome: WelcomePage,
  network: NetworkPage,
  'user-network': NetworkPage,
  'sign-in': SignInPage,
  'token-entry': TokenEntryPage,
  'enrollment-in-progress': EnrollmentInProgressPage,
  home: HomePage,
  'intune-sign-in': IntuneSignInPage,
  'user-sign-in': IntuneSignInPage,
  'work-profile': WorkProfilePage,
  permissions: PermissionsPage,
  enrolled: EnrolledPage,
};

/** The page object for a screen (a plain ScreenPage for screens with nothing of their own to name). */
export function pageFor(session: AppiumSession, screen: ResolvedScreen, camera: CameraFeed): ScreenPage {
  if (screen.id === 'qr-reader') return new QrReaderPage(session, screen, camera);
  const Page = PAGES[screen.id] ?? ScreenPage;
  return new Page(session, screen);
}
