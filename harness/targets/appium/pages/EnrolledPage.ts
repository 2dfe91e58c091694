import { ScreenPage } from './ScreenPage';

/** Enrolled: ready for work, under the account shown. */
export class EnrolledPage extends ScreenPage {
  async account(): Promise<string> {
    return this.read('account');
  }
}
