import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { GRAPH_PROPERTIES } from './graphProperties.generated';
import {
  GRAPH_PROPERTIES_FILE,
  REGENERATE_PROPERTIES_COMMAND,
  graphPropertiesText,
} from './writeGraphProperties';

describe('the Graph properties list', () => {
  it('is checked in exactly as the Graph beta type definitions generate it', () => {
    const checkedIn = readFileSync(join(projectRoot(), GRAPH_PROPERTIES_FILE), 'utf8');
    if (checkedIn !== graphPropertiesText()) {
      throw new Error(
        `${GRAPH_PROPERTIES_FILE} is out of date with @microsoft/microsoft-graph-types-beta; regenerate it with: ${REGENERATE_PROPERTIES_COMMAND}`,
      );
    }
  });

  it('holds inherited properties with each type its own', () => {
    // From Entity and DeviceConfiguration, and the general configuration's own.
    expect(GRAPH_PROPERTIES.androidDeviceOwnerGeneralDeviceConfiguration).toEqual(
      expect.arrayContaining([
        'id',
        'displayName',
        'version',
        'roleScopeTagIds',
        'cameraBlocked',
        'kioskModeApps',
      ]),
    );
    // androidManagedStoreWebApp adds nothing to androidManagedStoreApp.
    expect(GRAPH_PROPERTIES.androidManagedStoreWebApp).toEqual(GRAPH_PROPERTIES.androidManagedStoreApp);
    // The enterprise Wi-Fi type extends the Wi-Fi one.
    expect(GRAPH_PROPERTIES.androidDeviceOwnerEnterpriseWiFiConfiguration).toEqual(
      expect.arrayContaining([...GRAPH_PROPERTIES.androidDeviceOwnerWiFiConfiguration!, 'eapType']),
    );
    expect(GRAPH_PROPERTIES.androidDeviceOwnerCompliancePolicy).not.toContain('cameraBlocked');
  });
});
