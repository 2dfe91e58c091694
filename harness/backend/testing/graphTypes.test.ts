import {
  checkGraphCollection,
  checkGraphShape,
  expectGraphCollection,
  expectGraphShape,
  graphPropertiesOf,
} from './graphTypes';

// Hand-made objects: one fault each, so every kind of problem is shown to be caught on its own.
const profile = {
  '@odata.type': '#microsoft.graph.androidDeviceOwnerEnrollmentProfile',
  id: '5b2e8c11-3f7a-4c6e-9d1a-0f5e2b7c9a44',
  displayName: 'Frontline staging',
  description: null,
  enrollmentMode: 'corporateOwnedFullyManaged',
  enrollmentTokenType: 'deviceStaging',
  tokenValue: 'ABCDEFGHJKLMNPQRSTUV',
  tokenExpirationDateTime: '2024-09-20T04:20:00Z',
  enrolledDeviceCount: 0,
  isTeamsDeviceProfile: false,
  qrCodeImage: { type: 'image/png', value: 'iVBORw0KGgo=' },
  roleScopeTagIds: ['0'],
  wifiSecurityType: 'wpa',
};

const messages = (problems: { path: string; message: string }[]) =>
  problems.map((p) => `${p.path}: ${p.message}`);

describe('checkGraphShape against @microsoft/microsoft-graph-types-beta', () => {
  it('accepts an object that fits, including properties inherited from Entity (id)', () => {
    expect(checkGraphShape(profile, 'AndroidDeviceOwnerEnrollmentProfile')).toEqual([]);
    expect(() =>
      expectGraphShape(profile, '#microsoft.graph.androidDeviceOwnerEnrollmentProfile'),
    ).not.toThrow();
  });

  it('reports a property the type lacks', () => {
    expect(
      messages(checkGraphShape({ ...profile, tokenValu: 'x' }, 'AndroidDeviceOwnerEnrollmentProfile')),
    ).toEqual(['tokenValu: AndroidDeviceOwnerEnrollmentProfile has no property tokenValu']);
  });

  it('reports an enum value outside the type’s string union, naming the union', () => {
    const [problem, ...rest] = checkGraphShape(
      { ...profile, enrollmentMode: 'fullyManaged' },
      'AndroidDeviceOwnerEnrollmentProfile',
    );
    expect(rest).toEqual([]);
    expect(problem!.path).toBe('enrollmentMode');
    expect(problem!.message).toContain('"fullyManaged" is not a value of AndroidDeviceOwnerEnrollmentMode');
    expect(problem!.message).toContain('corporateOwnedFullyManaged');
  });

  it('reports a null where the type does not allow null, and accepts one where it does', () => {
    // tokenExpirationDateTime is `string`, description NullableOption<string>.
    expect(
      messages(
        checkGraphShape({ ...profile, tokenExpirationDateTime: null }, 'AndroidDeviceOwnerEnrollmentProfile'),
      ),
    ).toEqual(['tokenExpirationDateTime: null, but string does not allow null']);
    expect(checkGraphShape({ ...profile, tokenValue: null }, 'AndroidDeviceOwnerEnrollmentProfile')).toEqual(
      [],
    );
  });

  it('reports a wrong primitive type', () => {
    expect(
      messages(
        checkGraphShape(
          { ...profile, enrolledDeviceCount: '3', isTeamsDeviceProfile: 'no' },
          'AndroidDeviceOwnerEnrollmentProfile',
        ),
      ),
    ).toEqual([
      'enrolledDeviceCount: string "3", expected number',
      'isTeamsDeviceProfile: string "no", expected boolean',
    ]);
  });

  it('checks nested objects and array elements with their paths', () => {
    expect(
      messages(
        checkGraphShape(
          { ...profile, qrCodeImage: { type: 'image/png', value: 5, size: 1 }, roleScopeTagIds: ['0', 7] },
          'AndroidDeviceOwnerEnrollmentProfile',
        ),
      ),
    ).toEqual([
      'qrCodeImage.value: number 5, expected string | null',
      'qrCodeImage.size: MimeContent has no property size',
      'roleScopeTagIds[1]: number 7, expected string',
    ]);
  });

  it('resolves the concrete type from @odata.type and follows extends chains', () => {
    // A managed device checked as its base Entity still has ManagedDevice's properties.
    const device = { '@odata.type': '#microsoft.graph.managedDevice', id: 'a', complianceState: 'compliant' };
    expect(checkGraphShape(device, 'Entity')).toEqual([]);
    // androidManagedStoreApp extends androidManagedStoreApp <- mobileApp <- entity: `displayName` is
    // mobileApp's, `packageId` its own.
    const app = {
      '@odata.type': '#microsoft.graph.androidManagedStoreApp',
      id: 'b',
      displayName: 'Teams',
      packageId: 'com.microsoft.teams',
    };
    expect(checkGraphShape(app, 'MobileApp')).toEqual([]);
    expect(
      messages(checkGraphShape({ ...app, '@odata.type': '#microsoft.graph.managedDevice' }, 'MobileApp')),
    ).toEqual(['@odata.type: #microsoft.graph.managedDevice is not MobileApp nor does it extend it']);
    expect(
      messages(checkGraphShape({ ...app, '@odata.type': '#microsoft.graph.noSuchThing' }, 'MobileApp')),
    ).toEqual(['@odata.type: string "#microsoft.graph.noSuchThing" names no type in the Graph beta types']);
  });

  it('takes nested @odata.type for a derived type of a declared property (assignment targets)', () => {
    const assignment = {
      id: 'c',
      target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: 'g' },
    };
    expect(checkGraphShape(assignment, 'DeviceConfigurationAssignment')).toEqual([]);
    expect(
      messages(
        checkGraphShape(
          {
            ...assignment,
            target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget', groupId: 'g' },
          },
          'DeviceConfigurationAssignment',
        ),
      ),
    ).toEqual(['target.groupId: AllDevicesAssignmentTarget has no property groupId']);
  });

  it('passes documented simulator fields only', () => {
    expect(
      checkGraphShape({ ...profile, simulatorTokenState: 'active' }, 'AndroidDeviceOwnerEnrollmentProfile'),
    ).toEqual([]);
    expect(
      messages(
        checkGraphShape({ ...profile, simulatorMood: 'happy' }, 'AndroidDeviceOwnerEnrollmentProfile'),
      ),
    ).toEqual([
      'simulatorMood: simulatorMood is a simulator field harness/backend/README.md does not document',
    ]);
    expect(
      checkGraphShape({ ...profile, simulatorMood: 'happy' }, 'AndroidDeviceOwnerEnrollmentProfile', {
        simulatorFields: new Set(['simulatorMood']),
      }),
    ).toEqual([]);
  });

  it('refuses annotations Graph does not use and a type name it does not know', () => {
    expect(
      messages(checkGraphShape({ ...profile, '@odata.mood': 'x' }, 'AndroidDeviceOwnerEnrollmentProfile')),
    ).toEqual(['@odata.mood: @odata.mood is not an annotation Graph puts here']);
    expect(() => checkGraphShape({}, 'NoSuchType')).toThrow(
      'NoSuchType is not an interface of the Graph beta types',
    );
    expect(messages(checkGraphShape([], 'Entity'))).toEqual(['(root): an array, expected an object']);
  });
});

describe('checkGraphCollection', () => {
  it('checks every element and the collection’s annotations', () => {
    const body = {
      '@odata.context': 'https://graph.microsoft.com/beta/$metadata#deviceManagement/managedDevices',
      '@odata.count': 2,
      value: [
        { id: 'a', operatingSystem: 'Android', managementState: 'managed' },
        { id: 'b', managementState: 'staged' },
      ],
    };
    expect(messages(checkGraphCollection(body, 'ManagedDevice'))).toEqual([
      'value[1].managementState: "staged" is not a value of ManagementState (managed, retirePending, retireFailed, wipePending, wipeFailed, unhealthy, deletePending, retireIssued, wipeIssued, wipeCanceled, retireCanceled, discovered)',
    ]);
    expect(
      messages(checkGraphCollection({ ...body, '@odata.count': '2', total: 2 }, 'ManagedDevice')),
    ).toEqual([
      '@odata.count: string "2" is not a valid @odata.count',
      'total: total does not belong on a Graph collection',
      'value[1].managementState: "staged" is not a value of ManagementState (managed, retirePending, retireFailed, wipePending, wipeFailed, unhealthy, deletePending, retireIssued, wipeIssued, wipeCanceled, retireCanceled, discovered)',
    ]);
    expect(() => expectGraphCollection({ value: [body.value[0]] }, 'ManagedDevice')).not.toThrow();
    expect(() => expectGraphCollection(body, 'ManagedDevice')).toThrow(
      /not a Graph ManagedDevice:\n {2}value\[1\]\.managementState/,
    );
    expect(messages(checkGraphCollection({ values: [] }, 'ManagedDevice'))).toEqual([
      '(root): expected a collection: an object with a value array',
    ]);
  });
});

describe('graphPropertiesOf', () => {
  it('lists a type’s properties with the inherited ones', () => {
    const names = graphPropertiesOf('AndroidDeviceOwnerEnrollmentProfile');
    expect(names).toContain('id'); // from Entity
    expect(names).toContain('isTeamsDeviceProfile');
    expect(names).not.toContain('simulatorTokenId');
  });
});
