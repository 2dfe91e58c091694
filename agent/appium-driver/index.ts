/** Appium loads the driver from here (package.json `main`, class named by `appium.mainClass`). */
export { StagesimDriver } from './driver';
export { StagesimDriver as default } from './driver';
