import { randomBytes } from 'node:crypto';
import {
  caseNoun,
  failingStep,
  failingStepLine,
  failuresFirst,
  formatCount,
  formatDuration,
  Markup,
  markup,
  percent,
  stepNumber,
  userLabel,
} from './format';
import { writeReportFile } from './outputPath';
import type { BackendView, CaseResult, Coverage, Reporter, RunReport, StepResult } from './report';
import { renderStateGraphSvg } from './stateGraph';

/**
 * One self-contained HTML file for people: summary, failures first, every case step by step, screenshots
 * and page sources, and the device model's state graph with coverage drawn on it. CSS, script, SVG and
 * images are all inline so the file opens anywhere, offline, from a CI artifact. A Content-Security-Policy
 * with a per-file nonce keeps it that way: nothing can load from the network, and a script that got into
 * the page through step text would not run even if escaping were ever missed.
 */
export class HtmlReporter implements Reporter {
  /** @param file an absolute path from resolveReportPath or resolveContainedReportPath */
  constructor(private readonly file: string) {}

  onEnd(report: RunReport): void {
    writeReportFile(this.file, renderHtml(report));
  }
}

export function renderHtml(report: RunReport): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`;
  const title = `stagesim ${report.kind} · ${report.target}`;
  const status = report.failed > 0 ? 'failed' : 'passed';
  const failed = report.cases.filter((c) => c.status === 'failed');
  return `<!DOCTYPE html>
${markup`<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${OWN_STYLE}</style>
</head>
<body>
<header class="${status}">
  <h1>stagesim ${report.kind === 'model' ? 'model-based run' : 'scenario run'} <span class="pill ${status}">${status}</span></h1>
  <p class="meta">target <b>${report.target}</b> · seed <b>${report.seed ?? 'none'}</b> · started <b>${report.startedAt}</b> · took <b>${formatDuration(report.durationMs)}</b></p>
</header>
<main>
${summary(report)}
${failed.length > 0 ? failuresSection(failed) : ''}
${casesSection(report)}
${coverageSection(report.coverage)}
</main>
<script nonce="${nonce}">${OWN_SCRIPT}</script>
</body>
</html>`}
`;
}

function card(label: string, value: string | Markup, extra: Markup | string = '', cls = ''): Markup {
  return markup`<div class="card ${cls}"><div class="label">${label}</div><div class="value">${value}</div>${extra}</div>`;
}

function meter(count: { covered: number; total: number }): Markup {
  return markup`<meter min="0" max="${count.total}" value="${count.covered}" title="${percent(count.covered, count.total)}"></meter>`;
}

function summary(report: RunReport): Markup {
  const coverage = report.coverage;
  return markup`<section class="summary" aria-label="Summary">
${card(caseNoun(report.kind, 2), String(report.paths))}
${card('passed', String(report.passed), '', 'passed')}
${card('failed', String(report.failed), '', report.failed > 0 ? 'failed' : '')}
${card('skipped', String(report.skipped), '', 'skipped')}
${coverage ? card('states covered', formatCount(coverage.states), meter(coverage.states)) : card('coverage', 'not recorded')}
${coverage ? card('transitions covered', formatCount(coverage.transitions), meter(coverage.transitions)) : ''}
${card('duration', formatDuration(report.durationMs))}
${card('seed', String(report.seed ?? 'none'))}
</section>`;
}

const caseAnchor = (index: number) => `case-${index + 1}`;

function failuresSection(failed: CaseResult[]): Markup {
  return markup`<section class="failures">
<h2>Failures (${failed.length})</h2>
${failed.map((c, i) => failureBlock(c, i))}
</section>`;
}

function failureBlock(c: CaseResult, i: number): Markup {
  const replay = c.failure?.replay;
  return markup`<article class="failure" id="failure-${i + 1}">
<h3><a href="#${caseAnchor(i)}">${c.title}</a></h3>
${c.file ? markup`<p class="file">${c.file}</p>` : ''}
${failingStepLine(c) ? markup`<p class="failing-step">${failingStepLine(c)}</p>` : ''}
<pre class="message">${c.failure?.message ?? 'failed without a message'}</pre>
${replay ? markup`<div class="replay"><div class="replay-head">Replay <button type="button" class="copy" data-copy="replay-${i}">Copy</button></div><pre id="replay-${i}">${replay}</pre></div>` : ''}
${artifacts(c)}
</article>`;
}

function casesSection(report: RunReport): Markup {
  // Failed cases come first here too, and their anchors match the numbering of the failures section.
  const ordered = failuresFirst(report.cases);
  return markup`<section class="cases">
<h2>${caseNoun(report.kind, 2)} (${report.cases.length})</h2>
<div class="toolbar" role="toolbar">
  <button type="button" data-filter="all" aria-pressed="true">All</button>
  <button type="button" data-filter="failed" aria-pressed="false">Failed</button>
  <button type="button" data-filter="passed" aria-pressed="false">Passed</button>
  <button type="button" data-filter="skipped" aria-pressed="false">Skipped</button>
  <button type="button" data-expand="open">Expand all</button>
  <button type="button" data-expand="close">Collapse all</button>
</div>
${ordered.map((c, i) => caseBlock(c, i))}
</section>`;
}

const statusIcon: Record<CaseResult['status'], string> = { passed: '✓', failed: '✘', skipped: '–' };

function caseBlock(c: CaseResult, i: number): Markup {
  const failed = failingStep(c);
  return markup`<details class="case ${c.status}" id="${caseAnchor(i)}" data-status="${c.status}"${c.status === 'failed' ? markup` open` : ''}>
<summary><span class="icon">${statusIcon[c.status]}</span> <span class="case-title">${c.title}</span> <span class="muted">${c.steps.length} steps · ${formatDuration(c.durationMs)}</span></summary>
<div class="case-body">
${c.file ? markup`<p class="file">${c.file}</p>` : ''}
${c.failure ? markup`<pre class="message">${c.failure.message}</pre>` : ''}
${c.steps.length > 0 ? stepsTable(c, failed) : markup`<p class="muted">No steps ran.</p>`}
${c.status === 'failed' ? (hasArtifacts(c) ? markup`<p class="muted">Screenshot and page source: see <a href="#failure-${i + 1}">the failure above</a>.</p>` : '') : artifacts(c)}
</div>
</details>`;
}

function stepsTable(c: CaseResult, failed: StepResult | null): Markup {
  const showDevice = new Set(c.steps.map((s) => s.device)).size > 1;
  return markup`<table class="steps">
<thead><tr><th>#</th><th>Step</th>${showDevice ? markup`<th>Device</th>` : ''}<th>Screen</th><th>Stage</th><th>User</th><th>Backend record</th><th>Time</th></tr></thead>
<tbody>
${c.steps.map((step) => stepRow(c, step, step === failed, showDevice))}
</tbody>
</table>`;
}

function stepRow(c: CaseResult, step: StepResult, isFailing: boolean, showDevice: boolean): Markup {
  const columns = showDevice ? 8 : 7;
  return markup`<tr class="step ${step.status}${isFailing ? ' failing' : ''}">
<td class="num">${stepNumber(c, step)}</td>
<td><span class="kind ${step.kind}">${step.kind}</span> ${step.action}</td>
${showDevice ? markup`<td>${step.device ?? '–'}</td>` : ''}
<td>${step.screen ? markup`<div>${step.screen.title}</div><code>${step.screen.id}</code>` : markup`<span class="muted">no screen</span>`}${step.state ? markup`<div><code class="state">${step.state}</code></div>` : ''}</td>
<td>${step.stage ?? '–'}</td>
<td><span class="user ${userLabel(step.userless)}">${userLabel(step.userless)}</span></td>
<td>${backendCell(step.backend)}</td>
<td class="num">${formatDuration(step.durationMs)}</td>
</tr>${step.error ? markup`\n<tr class="step-error"><td></td><td colspan="${columns - 1}"><pre>${step.error}</pre></td></tr>` : ''}`;
}

function backendCell(backend: BackendView | null): Markup {
  if (!backend) return markup`<span class="muted">none</span>`;
  const row = (label: string, value: string | null) => markup`<dt>${label}</dt><dd>${value ?? '–'}</dd>`;
  const list = (values: string[]) => (values.length ? values.join(', ') : null);
  return markup`<dl class="backend">${row('stage', backend.stage)}${row('device', backend.deviceName)}${row('user', backend.userPrincipalName)}${row('token', backend.tokenId)}${row('policies', list(backend.policies))}${row('apps', list(backend.apps))}</dl>`;
}

// Strict base64: anything else in a data: URL would be a way out of the attribute or a broken image.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function hasArtifacts(c: CaseResult): boolean {
  return Boolean(c.artifacts?.screenshotPng || c.artifacts?.pageSource);
}

function artifacts(c: CaseResult): Markup | '' {
  const a = c.artifacts;
  if (!a || !hasArtifacts(c)) return '';
  const png = a.screenshotPng?.replace(/\s+/g, '') ?? null;
  const screenshot =
    png === null
      ? ''
      : BASE64.test(png)
        ? markup`<figure class="screenshot"><img alt="Device screen when the case failed" src="data:image/png;base64,${png}"><figcaption>Device screen</figcaption></figure>`
        : markup`<p class="muted">The screenshot is not valid base64 and is not shown.</p>`;
  return markup`<div class="artifacts">${screenshot}${
    a.pageSource
      ? markup`<details class="page-source"><summary>Page source</summary><pre>${a.pageSource}</pre></details>`
      : ''
  }</div>`;
}

function idList(title: string, ids: string[]): Markup {
  return markup`<details class="id-list"${ids.length > 0 && ids.length <= 30 ? markup` open` : ''}><summary>${title} (${ids.length})</summary>${
    ids.length > 0
      ? markup`<ul>${ids.map((id) => markup`<li><code>${id}</code></li>`)}</ul>`
      : markup`<p class="muted">none</p>`
  }</details>`;
}

function coverageSection(coverage: Coverage | null): Markup {
  if (!coverage)
    return markup`<section class="coverage"><h2>Coverage</h2><p class="muted">This run recorded no coverage.</p></section>`;
  return markup`<section class="coverage">
<h2>Coverage</h2>
<p>States ${formatCount(coverage.states)} ${meter(coverage.states)} · transitions ${formatCount(coverage.transitions)} ${meter(coverage.transitions)}</p>
<div class="legend" aria-label="Legend">
  <span><i class="swatch covered"></i>covered state</span>
  <span><i class="swatch uncovered"></i>state not covered</span>
  <span><i class="line covered"></i>✓ transition covered</span>
  <span><i class="line uncovered"></i>✗ transition not covered</span>
  <span><i class="swatch any"></i>from any state of the enclosing group</span>
</div>
<div class="toolbar"><button type="button" data-fit aria-pressed="false">Fit to width</button></div>
<div class="graph">${renderStateGraphSvg(coverage)}</div>
<div class="id-lists">
${idList('Uncovered states', coverage.uncoveredStates)}
${idList('Uncovered transitions', coverage.uncoveredTransitions)}
</div>
</section>`;
}

const STYLE = `
:root { --ok: #1e7e34; --ok-bg: #e8f5ec; --bad: #c5221f; --bad-bg: #fdecea; --muted: #5f6368; --line: #dadce0; --skip: #80868b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; background: #f6f7f9; }
header { padding: 20px 32px 14px; background: #fff; border-bottom: 4px solid var(--ok); }
header.failed { border-bottom-color: var(--bad); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { font-size: 18px; margin: 28px 0 12px; text-transform: capitalize; }
h3 { margin: 0 0 6px; font-size: 16px; }
.meta, .muted { color: var(--muted); }
.meta { margin: 0; }
main { padding: 8px 32px 48px; max-width: 1400px; }
code, pre { font: 12px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; word-break: break-word; margin: 6px 0; }
.pill { display: inline-block; vertical-align: middle; font-size: 12px; padding: 2px 10px; border-radius: 12px; color: #fff; background: var(--ok); text-transform: uppercase; letter-spacing: .04em; }
.pill.failed { background: var(--bad); }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 18px; font-weight: 600; white-space: nowrap; }
.card.passed .value { color: var(--ok); }
.card.failed .value { color: var(--bad); }
.card.skipped .value { color: var(--skip); }
meter { width: 100%; height: 8px; }
.coverage meter { width: 120px; vertical-align: middle; }
.failure { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 8px; padding: 12px 16px; margin-bottom: 12px; }
.failure a { color: var(--bad); }
.message { background: var(--bad-bg); color: #8a1c17; padding: 8px 10px; border-radius: 6px; }
.failing-step { margin: 4px 0; font-weight: 600; }
.file { margin: 0 0 4px; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
.replay { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
.replay-head { display: flex; justify-content: space-between; align-items: center; padding: 4px 10px; background: #f1f3f4; font-weight: 600; }
.replay pre { padding: 6px 10px; max-height: 320px; overflow: auto; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
button[aria-pressed="true"] { background: #202124; color: #fff; border-color: #202124; }
.toolbar { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 10px; }
.case { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 8px; }
.case > summary { padding: 10px 14px; cursor: pointer; }
.case .icon { display: inline-block; width: 1.2em; font-weight: 700; }
.case.passed .icon { color: var(--ok); }
.case.failed .icon { color: var(--bad); }
.case.skipped .icon { color: var(--skip); }
.case-title { font-weight: 600; }
.case-body { padding: 0 14px 14px; overflow-x: auto; }
.hidden { display: none; }
table.steps { border-collapse: collapse; width: 100%; font-size: 13px; }
.steps th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); padding: 6px 8px; white-space: nowrap; }
.steps td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
.steps td.num { text-align: right; white-space: nowrap; color: var(--muted); }
.steps tr.failing td { background: var(--bad-bg); }
.steps tr.step-error td { background: var(--bad-bg); border-top: 0; }
.steps tr.step.skipped td { color: var(--skip); }
.kind { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 4px; background: #e8eaed; color: #3c4043; }
.kind.outcome { background: #e8f0fe; color: #174ea6; }
.kind.environment { background: #fef7e0; color: #8d5c00; }
.kind.admin { background: #f3e8fd; color: #681da8; }
.kind.expect { background: #e6f4ea; color: #137333; }
code.state { color: var(--muted); }
.user { font-size: 12px; padding: 0 6px; border-radius: 4px; background: #e8eaed; }
.user.user { background: #e8f0fe; }
dl.backend { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 0; font-size: 12px; }
dl.backend dt { color: var(--muted); }
dl.backend dd { margin: 0; }
.artifacts { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; margin-top: 10px; }
.screenshot { margin: 0; }
.screenshot img { max-width: 240px; border: 1px solid var(--line); border-radius: 8px; display: block; }
.screenshot figcaption { color: var(--muted); font-size: 12px; }
.page-source { flex: 1; min-width: 280px; }
.page-source pre { background: #f1f3f4; padding: 8px; border-radius: 6px; max-height: 360px; overflow: auto; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin: 8px 0; }
.legend i { display: inline-block; vertical-align: middle; margin-right: 6px; }
.swatch { width: 18px; height: 12px; border-radius: 3px; border: 1.5px solid; }
.swatch.covered { background: var(--ok-bg); border-color: var(--ok); }
.swatch.uncovered { background: #fff; border: 1.5px dashed var(--bad); }
.swatch.any { background: #f1f3f4; border-color: var(--skip); border-radius: 6px; }
.legend .line { width: 24px; height: 0; border-top: 2px solid var(--ok); }
.legend .line.uncovered { border-top: 1.5px dashed var(--bad); }
.graph { background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: auto; max-height: 85vh; }
svg.state-graph { display: block; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.state-graph .cluster rect { fill: #f8f9fa; stroke: #bdc1c6; stroke-width: 1; }
.state-graph .cluster text { font: 600 12px system-ui, sans-serif; fill: var(--muted); }
.state-graph .node rect { stroke-width: 1.5; }
.state-graph .node.covered rect { fill: var(--ok-bg); stroke: var(--ok); }
.state-graph .node.uncovered rect { fill: #fff; stroke: var(--bad); stroke-dasharray: 4 3; }
.state-graph .node.unknown rect { fill: #fff; stroke: var(--skip); }
.state-graph .node.any rect { fill: #f1f3f4; stroke: var(--skip); }
.state-graph .node.error .title { fill: var(--bad); }
.state-graph .node .key { font-size: 12px; font-weight: 600; fill: #202124; }
.state-graph .node.uncovered .key { fill: var(--bad); }
.state-graph .node.any .key { font-weight: 400; fill: var(--muted); font-style: italic; }
.state-graph .node .title { font: 11px system-ui, sans-serif; fill: var(--muted); }
.state-graph .edge path { fill: none; }
.state-graph .edge.covered path { stroke: var(--ok); stroke-width: 1.8; }
.state-graph .edge.uncovered path { stroke: var(--bad); stroke-width: 1; stroke-dasharray: 5 4; opacity: .75; }
.state-graph .edge.unknown path { stroke: var(--skip); stroke-width: 1; }
.state-graph .edge text { font-size: 10px; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.graph.fit { max-height: none; }
.graph.fit svg { width: 100%; height: auto; }
.state-graph tspan.covered { fill: var(--ok); }
.state-graph tspan.uncovered { fill: var(--bad); }
.state-graph tspan.unknown { fill: var(--skip); }
.state-graph marker.covered path { fill: var(--ok); }
.state-graph marker.uncovered path { fill: var(--bad); }
.state-graph marker.unknown path { fill: var(--skip); }
.id-lists { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 14px; }
.id-list { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.id-list summary { cursor: pointer; font-weight: 600; }
.id-list ul { margin: 6px 0; padding-left: 18px; columns: 1; }
@media (max-width: 800px) { main, header { padding-left: 12px; padding-right: 12px; } .id-lists { grid-template-columns: 1fr; } }
`;

// Progressive enhancement only: without the script every case still opens and every list still reads.
const SCRIPT = `
(() => {
  const cases = Array.from(document.querySelectorAll('details.case'));
  document.querySelectorAll('[data-filter]').forEach((button) => {
    button.addEventListener('click', () => {
      const filter = button.getAttribute('data-filter');
      document.querySelectorAll('[data-filter]').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
      cases.forEach((c) => c.classList.toggle('hidden', filter !== 'all' && c.getAttribute('data-status') !== filter));
    });
  });
  document.querySelectorAll('[data-expand]').forEach((button) => {
    button.addEventListener('click', () => {
      const open = button.getAttribute('data-expand') === 'open';
      cases.forEach((c) => { if (!c.classList.contains('hidden')) c.open = open; });
    });
  });
  const fit = document.querySelector('button[data-fit]');
  const graph = document.querySelector('.graph');
  if (fit && graph) {
    fit.addEventListener('click', () => fit.setAttribute('aria-pressed', String(graph.classList.toggle('fit'))));
  }
  document.querySelectorAll('button[data-copy]').forEach((button) => {
    button.addEventListener('click', () => {
      const source = document.getElementById(button.getAttribute('data-copy'));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent || '').then(
        () => { button.textContent = 'Copied'; },
        () => { button.textContent = 'Select and copy'; },
      );
    });
  });
})();
`;

// Inside <style> and <script> the browser does not decode entities, so these constants (ours, never data)
// go in verbatim; nothing from a report is ever placed in them.
const OWN_STYLE = new Markup(STYLE);
const OWN_SCRIPT = new Markup(SCRIPT);
