/**
 * The `mobile:` methods of `execute`. `injectEmulatorCameraImage` and `getDeviceInfo` are UiAutomator2's
 * (same names, same parameters); the `stagesim*` ones do at the simulated device what UiAutomator2 has
 * no command for: its power, its network, its work in flight, and what the model saw.
 */
export const EXECUTE_METHOD_MAP = {
  'mobile: injectEmulatorCameraImage': {
    command: 'mobileInjectEmulatorCameraImage',
    params: { required: ['payload'] },
  },
  'mobile: getDeviceInfo': { command: 'mobileGetDeviceInfo' },
  'mobile: stagesimPowerOn': { command: 'mobileStagesimPowerOn' },
  'mobile: stagesimPowerOff': { command: 'mobileStagesimPowerOff' },
  'mobile: stagesimPressPowerButton': { command: 'mobileStagesimPressPowerButton' },
  'mobile: stagesimPowerCycle': { command: 'mobileStagesimPowerCycle' },
  'mobile: stagesimCutPower': { command: 'mobileStagesimCutPower' },
  'mobile: stagesimFactoryReset': { command: 'mobileStagesimFactoryReset' },
  'mobile: stagesimSetNetwork': {
    command: 'mobileStagesimSetNetwork',
    params: { optional: ['wifiInRange', 'cellular'] },
  },
  'mobile: stagesimSetConfiguration': {
    command: 'mobileStagesimSetConfiguration',
    params: { optional: ['configuration'] },
  },
  'mobile: stagesimHoldWork': { command: 'mobileStagesimHoldWork', params: { optional: ['effect'] } },
  'mobile: stagesimReleaseWork': { command: 'mobileStagesimReleaseWork' },
  'mobile: stagesimDeviceView': { command: 'mobileStagesimDeviceView' },
  'mobile: stagesimHistory': { command: 'mobileStagesimHistory', params: { optional: ['after'] } },
  'mobile: stagesimHistoryMark': { command: 'mobileStagesimHistoryMark' },
} as const;
