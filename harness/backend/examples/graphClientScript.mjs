// An Intune admin script on Microsoft's own Graph JavaScript client, pointed at `stagesim backend --tls`.
// Against the real tenant only baseUrl (https://graph.microsoft.com) and the token would differ.
//   NODE_EXTRA_CA_CERTS=~/.stagesim/ca.pem STAGESIM_URL=https://127.0.0.1:8443 node graphClientScript.mjs
import { Client, GraphError, PageIterator } from '@microsoft/microsoft-graph-client';

const client = Client.init({
  baseUrl: process.env.STAGESIM_URL ?? 'https://127.0.0.1:8443',
  defaultVersion: 'beta',
  // The backend's admin key stands in for an Entra access token (any token when it has no key).
  authProvider: (done) => done(null, process.env.STAGESIM_ADMIN_KEY || 'no-admin-key'),
});
const report = {};

// Stage 1: a device staging profile, a fresh token, and the profile read back.
const profile = await client.api('/deviceManagement/androidDeviceOwnerEnrollmentProfiles').post({
  '@odata.type': '#microsoft.graph.androidDeviceOwnerEnrollmentProfile',
  displayName: 'Frontline staging (SDK)',
  enrollmentMode: 'corporateOwnedFullyManaged',
  enrollmentTokenType: 'deviceStaging',
  isTeamsDeviceProfile: false,
});
const profilePath = `/deviceManagement/androidDeviceOwnerEnrollmentProfiles/${profile.id}`;
await client.api(`${profilePath}/createToken`).post({ tokenValidityInSeconds: 30 * 24 * 3600 });
const withToken = await client.api(profilePath).select(['tokenValue', 'tokenExpirationDateTime']).get();
report.profile = { created: profile, read: withToken };

// A GET-then-PATCH round trip, as scripts (and Graph's own examples) do it: read-only fields included.
const full = await client.api(profilePath).get();
report.patched = await client.api(profilePath).patch({ ...full, description: 'edited by the SDK' });

// Every managed device, page by page: PageIterator follows @odata.nextLink.
const firstPage = await client.api('/deviceManagement/managedDevices').top(100).get();
const seen = [];
await new PageIterator(client, firstPage, (device) => {
  seen.push(device.serialNumber);
  return true;
}).iterate();
report.paged = { firstPageSize: firstPage.value.length, serialNumbers: seen };

// OData as Intune takes it: $select, $filter with a date, $orderby, $count, $top.
report.query = await client
  .api('/deviceManagement/managedDevices')
  .select(['id', 'deviceName', 'serialNumber', 'enrolledDateTime'])
  .filter("operatingSystem eq 'Android' and enrolledDateTime ge 2024-06-22T05:00:00Z")
  .orderby('enrolledDateTime desc')
  .count(true)
  .top(5)
  .get();

// Revoke the token: the profile no longer shows one.
await client.api(`${profilePath}/revokeToken`).post({});
report.revoked = await client.api(profilePath).select('tokenValue').get();

// Refusals come back as GraphError with Graph's status code and error code.
report.errors = [];
const refusals = [
  () => client.api('/deviceManagement/androidDeviceOwnerEnrollmentProfiles').orderby('displayName').get(),
  () => client.api('/deviceManagement/managedDevices').filter("colour eq 'red'").get(),
  () =>
    client
      .api(`/deviceManagement/androidDeviceOwnerEnrollmentProfiles`)
      .post({ displayName: 'x', colour: 'red' }),
  () => client.api('/deviceManagement/managedDevices/00000000-0000-0000-0000-000000000000').get(),
];
for (const refused of refusals) {
  try {
    await refused();
    report.errors.push({ unexpected: 'no error' });
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    report.errors.push({ statusCode: error.statusCode, code: error.code, message: error.message });
  }
}

console.log(JSON.stringify(report));
