import {
  DEFAULT_NAME_TEMPLATES,
  checkNameTemplates,
  checkTimeZone,
  deviceNameTemplateProblem,
  randomDigitsNeeded,
  renderDeviceNameTemplate,
  reportName,
} from './naming';

const AT_4_20 = Date.parse('2024-06-22T04:20:00Z');
const staged = {
  serialNumber: 'XX1234',
  mode: 'corporateOwnedFullyManaged' as const,
  enrolledAt: AT_4_20,
  upn: null,
};

describe('reportName', () => {
  it('renders the staging name exactly, without stray spaces', () => {
    expect(reportName(DEFAULT_NAME_TEMPLATES, 'staged', staged, 'UTC')).toBe(
      'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
    );
  });

  it('replaces the staging prefix with the UPN after sign-in, keeping the enrollment date', () => {
    expect(
      reportName(
        DEFAULT_NAME_TEMPLATES,
        'enrolled',
        { ...staged, mode: 'corporateOwnedWorkProfile', upn: 'john@contoso.com' },
        'UTC',
      ),
    ).toBe('john@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM');
  });

  it('gives default-token devices no staging prefix', () => {
    expect(reportName(DEFAULT_NAME_TEMPLATES, 'adminProvisioned', staged, 'UTC')).toBe(
      'XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
    );
  });

  it('renders in the configured time zone, with 12-hour times and no leading zero on the hour', () => {
    expect(reportName(DEFAULT_NAME_TEMPLATES, 'staged', staged, 'America/New_York')).toBe(
      'Staging_XX1234_AndroidEnterprise_06/22/2024_12.20 AM',
    );
    expect(reportName(DEFAULT_NAME_TEMPLATES, 'staged', staged, 'Asia/Tokyo')).toBe(
      'Staging_XX1234_AndroidEnterprise_06/22/2024_1.20 PM',
    );
    const midnight = { ...staged, enrolledAt: Date.parse('2024-01-05T00:05:00Z') };
    expect(reportName(DEFAULT_NAME_TEMPLATES, 'staged', midnight, 'UTC')).toBe(
      'Staging_XX1234_AndroidEnterprise_01/05/2024_12.05 AM',
    );
  });

  it('follows configured templates', () => {
    const templates = { ...DEFAULT_NAME_TEMPLATES, enrolled: '{UPN}_{SERIAL}_{MODE}_{DATE}_{TIME}' };
    expect(reportName(templates, 'enrolled', { ...staged, upn: 'ann@contoso.com' }, 'UTC')).toBe(
      'ann@contoso.com_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
    );
  });
});

describe('checkNameTemplates and checkTimeZone', () => {
  it('refuses placeholders a stage cannot fill', () => {
    expect(() => checkNameTemplates({ ...DEFAULT_NAME_TEMPLATES, staged: 'Staging_{UPN}' })).toThrow(
      expect.objectContaining({ code: 'NAME_TEMPLATE_INVALID' }),
    );
    expect(() => checkNameTemplates({ ...DEFAULT_NAME_TEMPLATES, enrolled: '{USER}_{DATE}' })).toThrow(
      /\{USER\}/,
    );
    expect(() => checkNameTemplates(DEFAULT_NAME_TEMPLATES)).not.toThrow();
  });

  it('refuses unknown time zones', () => {
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'INVALID_TIME_ZONE' }),
    );
    expect(() => checkTimeZone('Europe/Berlin')).not.toThrow();
  });
});

describe("Graph's deviceNameTemplate", () => {
  const facts = { serialNumber: 'R58N12ABCD', enrolledAt: AT_4_20, upn: null, randomDigits: '4815162342' };

  it('renders every token', () => {
    expect(
      renderDeviceNameTemplate(
        '{{DEVICETYPE}}-{{SERIAL}}-{{SERIALLAST4DIGITS}}-{{ENROLLMENTDATETIME}}-{{rand:3}}',
        facts,
        'UTC',
      ),
    ).toBe('AndroidEnterprise-R58N12ABCD-ABCD-202406220420-481');
    expect(
      renderDeviceNameTemplate(
        '{{UPNPREFIX}}-{{rand:2}}{{rand:2}}',
        { ...facts, upn: 'ann@contoso.com' },
        'UTC',
      ),
    ).toBe('ann-4815');
  });

  it('cannot render user tokens while the device is userless', () => {
    expect(renderDeviceNameTemplate('{{USERNAME}}-{{SERIAL}}', facts, 'UTC')).toBeNull();
  });

  it('cuts names to 63 characters', () => {
    const long = { ...facts, serialNumber: 'S'.repeat(60) };
    expect(renderDeviceNameTemplate('Device-{{SERIAL}}', long, 'UTC')).toHaveLength(63);
  });

  it('reports unknown tokens with their position, and templates over 63 characters', () => {
    expect(deviceNameTemplateProblem('Kiosk-{{SERIAL}}')).toBeNull();
    expect(deviceNameTemplateProblem('Kiosk-{{IMEI}}')).toMatch(/unknown token \{\{IMEI\}\} at position 7/);
    expect(deviceNameTemplateProblem('{{rand:0}}')).toMatch(/unknown token/);
    expect(deviceNameTemplateProblem('x'.repeat(64))).toMatch(/at most 63/);
    expect(randomDigitsNeeded('{{rand:3}}-{{RAND:4}}')).toBe(7);
  });
});
