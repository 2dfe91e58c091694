import type { AppiumSession } from '../session';
import type { ResolvedScreen } from '../../../../agent/selectors/selectors';
import type { CameraFeed } from '../cameraFeed';
import { ScreenPage } from './ScreenPage';

/** The setup wizard's QR reader: the code reaches its camera (see CameraFeed); Cancel is a ScreenPage button. */
export class QrReaderPage extends ScreenPage {
  constructor(
    session: AppiumSession,
    screen: ResolvedScreen,
    private readonly camera: CameraFeed,
  ) {
    super(session, screen);
  }

  async showCode(png: Buffer): Promise<void> {
    await this.camera.show(this.session, png);
  }
}
