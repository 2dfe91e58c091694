import { planTransition, type DeviceStageFacts } from './ledger';

const device = (facts: Partial<DeviceStageFacts>): DeviceStageFacts => ({
  stage: null,
  flow: null,
  signedIn: false,
  ...facts,
});

describe('planTransition', () => {
  it('walks the staging flow: tokenCreated (admin), staged (vendor), enrolled (user)', () => {
    expect(planTransition(device({}), 'tokenCreated')).toEqual({
      outcome: 'record',
      from: null,
      to: 'tokenCreated',
      actor: 'admin',
    });
    expect(planTransition(device({ stage: 'tokenCreated', flow: 'deviceStaging' }), 'staged')).toEqual({
      outcome: 'record',
      from: 'tokenCreated',
      to: 'staged',
      actor: 'vendor',
    });
    expect(
      planTransition(device({ stage: 'staged', flow: 'deviceStaging', signedIn: true }), 'enrolled'),
    ).toEqual({ outcome: 'record', from: 'staged', to: 'enrolled', actor: 'user' });
  });

  it('walks the default flow: tokenCreated, adminProvisioned (admin), enrolled', () => {
    expect(
      planTransition(device({ stage: 'tokenCreated', flow: 'default' }), 'adminProvisioned'),
    ).toMatchObject({ outcome: 'record', actor: 'admin' });
    expect(
      planTransition(device({ stage: 'adminProvisioned', flow: 'default', signedIn: true }), 'enrolled'),
    ).toMatchObject({ outcome: 'record', actor: 'user' });
  });

  it('refuses stages out of order', () => {
    expect(planTransition(device({}), 'staged')).toMatchObject({ outcome: 'outOfOrder' });
    expect(planTransition(device({ stage: 'tokenCreated', flow: 'default' }), 'staged')).toMatchObject({
      outcome: 'outOfOrder',
      message: expect.stringContaining('adminProvisioned'),
    });
    expect(
      planTransition(device({ stage: 'tokenCreated', flow: 'deviceStaging' }), 'enrolled'),
    ).toMatchObject({ outcome: 'outOfOrder' });
    expect(planTransition(device({ stage: 'staged', flow: 'deviceStaging' }), 'enrolled')).toMatchObject({
      outcome: 'outOfOrder',
      message: expect.stringContaining('signed in'),
    });
    expect(
      planTransition(device({ stage: 'enrolled', flow: 'deviceStaging', signedIn: true }), 'staged'),
    ).toMatchObject({ outcome: 'outOfOrder' });
    expect(planTransition(device({ stage: 'staged', flow: 'deviceStaging' }), 'tokenCreated')).toMatchObject({
      outcome: 'outOfOrder',
      message: expect.stringContaining('factory reset'),
    });
  });

  it('answers a repeated stage as a repeat, recording nothing', () => {
    expect(planTransition(device({ stage: 'staged', flow: 'deviceStaging' }), 'staged')).toEqual({
      outcome: 'repeat',
    });
    expect(
      planTransition(device({ stage: 'enrolled', flow: 'default', signedIn: true }), 'enrolled'),
    ).toEqual({ outcome: 'repeat' });
    expect(planTransition(device({ stage: 'factoryReset' }), 'factoryReset')).toEqual({ outcome: 'repeat' });
    expect(planTransition(device({}), 'factoryReset')).toEqual({ outcome: 'repeat' });
  });

  it('resets from any stage, crediting who held the device, and lets a reset device start over', () => {
    expect(
      planTransition(device({ stage: 'enrolled', flow: 'deviceStaging', signedIn: true }), 'factoryReset'),
    ).toMatchObject({ outcome: 'record', actor: 'user' });
    expect(planTransition(device({ stage: 'staged', flow: 'deviceStaging' }), 'factoryReset')).toMatchObject({
      outcome: 'record',
      actor: 'vendor',
    });
    expect(planTransition(device({ stage: 'tokenCreated', flow: 'default' }), 'factoryReset')).toMatchObject({
      outcome: 'record',
      actor: 'admin',
    });
    expect(planTransition(device({ stage: 'factoryReset' }), 'tokenCreated')).toMatchObject({
      outcome: 'record',
      from: 'factoryReset',
    });
  });
});
