import { ScreenPage } from './ScreenPage';

/** "Enrollment in progress": nothing to do but wait; it lists what the device received so far. */
export class EnrollmentInProgressPage extends ScreenPage {
  async delivered(): Promise<string[]> {
    const text = await this.read('deliveries');
    return text === '' ? [] : text.split(', ');
  }
}
