import type { Page } from '@playwright/test';
import { stringify } from 'yaml';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';
import { recordRequests } from './support/sent-requests.js';

// The mocked lab (electron/mock/mock-container-actions.ts): proids root, proid, lab, ops and treadmld exist on every
// node, and the images /srv/images/lab-node.root.img and lab-base.root.img. A container configured here starts when
// told; its service ends 3 s later if its command says `exit N` (or out of memory when its memory is tiny), and
// otherwise runs until stopped or terminated. Like a real node, one whose service ended keeps its running/ link:
// removing it is refused until it is terminated.

const manifest = (change: Record<string, unknown> = {}) =>
  stringify({
    name: 'probe', proid: 'proid', environment: 'dev', cpu: '100%', memory: '256M', disk: '1G', image: '/srv/images/lab-node.root.img',
    services: [{ name: 'web_server', command: 'echo hello; exit 3' }], ...change,
  });

const panel = (page: Page) => page.getByRole('region', { name: 'Configure a container' });
const editor = (page: Page) => page.getByRole('textbox', { name: 'Container manifest (YAML)' });
const configureButton = (page: Page) => panel(page).getByRole('button', { name: /^Configur/ });
const detail = (page: Page) => page.locator('section.cdetail');
const actions = (page: Page) => detail(page).getByRole('group', { name: 'Container actions' });
const action = (page: Page, name: string) => actions(page).getByRole('button', { name });
const timeline = (page: Page) => page.getByRole('list', { name: 'Event timeline' });
const dialog = (page: Page) => page.getByRole('dialog');
const refusal = (page: Page) => detail(page).getByTestId('action-refused');

async function openConfigure(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers' }).click();
  await expect(page.getByTestId('containers-count')).toHaveText('120 containers');
  await page.getByRole('button', { name: 'Configure a container' }).click();
  await expect(panel(page)).toBeVisible();
}

/** Configures the manifest on rack1-n02; the new instance, as the panel and the detail name it. */
async function configure(page: Page, text: string): Promise<string> {
  await panel(page).getByRole('combobox', { name: 'Configure on' }).selectOption('rack1-n02');
  await editor(page).fill(text);
  await expect(configureButton(page)).toHaveText('Configure on rack1-n02');
  await configureButton(page).click();
  const made = panel(page).getByTestId('configured');
  await expect(made).toHaveText(/^Configured proid\.\w+#\d{10} on rack1-n02, down: start it below\.$/);
  const instance = /(proid\.\w+#\d{10})/.exec((await made.textContent())!)![1]!;
  await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(instance);
  return instance;
}

test.describe('container actions against the mocked backend', () => {
  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('configure (a bad manifest named by field, a refused proid), start, finished "return code: 3", terminate and remove with confirmation, a refused remove', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(60_000);
    const server = await launch({ mock: true });
    const sent = recordRequests(page);
    await openConfigure(page, server.url);
    // Pre-filled with a valid example.
    await expect(editor(page)).toHaveValue(/^name: web\n/);
    await expect(panel(page).getByText('Valid manifest.')).toBeVisible();

    // A bad manifest: each problem by its field, and nothing to send.
    await editor(page).fill(manifest({ environment: 'staging', memory: 'lots' }));
    const problems = panel(page).getByRole('list', { name: 'Manifest problems' });
    await expect(problems.locator('li[data-field="environment"]')).toContainText('environment');
    await expect(problems.locator('li[data-field="memory"]')).toHaveText("memorymust be a size such as '100M'");
    await expect(editor(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(configureButton(page)).toBeDisabled();
    await editor(page).fill(manifest({ services: [{ name: 'a', command: 'x' }, { name: 'b', command: 'y' }] }));
    await expect(problems.locator('li')).toHaveText(['servicesone service per container (several are not supported yet)']);

    // Valid as typed, refused by the node: its words.
    await panel(page).getByRole('combobox', { name: 'Configure on' }).selectOption('rack1-n02');
    await editor(page).fill(manifest({ proid: 'nobody' }));
    await configureButton(page).click();
    await expect(panel(page).getByTestId('configure-refused')).toHaveText(/^Not configured: configure nobody\.probe#\d{10}: proid nobody does not exist on this node$/);

    const instance = await configure(page, manifest());
    await expect(panel(page).getByTestId('configure-refused')).toHaveCount(0);
    await expect(detail(page)).toHaveAttribute('data-state', 'configured');
    await expect(detail(page).locator('[data-col="node"] dd')).toHaveText('rack1-n02');
    await expect(detail(page).locator('[data-col="state"] dd')).toHaveText('configured');
    await expect(actions(page).getByRole('button')).toHaveText(['Start']);
    await expect(timeline(page).locator('li')).toHaveText([/configured [A-Z0-9]{13}$/]);
    // And in the table, with the node's other containers.
    await page.getByRole('searchbox', { name: 'App' }).fill(instance);
    const row = page.locator(`.ctable__body [role="row"][data-instance="${instance}"]`);
    await expect(row).toHaveAttribute('data-state', 'configured');
    await expect(page.getByTestId('containers-count')).toHaveText('1 of 121 containers');

    await action(page, 'Start').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'running');
    await expect(actions(page).getByRole('button')).toHaveText(['Stop', 'Terminate…']);
    await expect(detail(page)).toHaveAttribute('data-state', 'finished', { timeout: 15_000 });
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('return code: 3');
    await expect(row.locator('[data-col="summary"]')).toHaveText('return code: 3');
    await expect(timeline(page).locator('.ctimeline__text')).toHaveText([/^configured [A-Z0-9]{13}$/, 'service web_server running', 'service web_server exited: return code: 3', 'finished: return code: 3']);

    // Remove asks first (keeping it is the default); the node refuses while its running/ link is there.
    await action(page, 'Remove…').click();
    await expect(dialog(page)).toBeVisible();
    await expect(dialog(page).getByRole('heading')).toHaveText(`Remove ${instance}?`);
    await expect(dialog(page).getByRole('button', { name: 'Keep it' })).toBeFocused();
    await dialog(page).getByRole('button', { name: 'Remove' }).click();
    await expect(dialog(page)).toHaveCount(0);
    await expect(refusal(page)).toHaveText(new RegExp(`^Remove refused: remove ${instance.replace('.', '\\.')}: proid\\.probe-\\d{10}-[A-Z0-9]{13} is still in running/: terminate it firstDismiss$`));
    await expect(detail(page)).toHaveAttribute('data-state', 'finished');
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'containers-actions');

    // Terminate: cancelled first, nothing happens; then confirmed.
    await action(page, 'Terminate…').click();
    await expect(dialog(page).getByRole('heading')).toHaveText(`Terminate ${instance}?`);
    await expect(dialog(page).getByRole('button', { name: 'Keep it' })).toBeFocused();
    const terminates = () => sent.filter((r) => r.command === 'containers.act' && r.payload.action === 'terminate').length;
    await dialog(page).getByRole('button', { name: 'Keep it' }).click();
    await expect(dialog(page)).toHaveCount(0);
    await expect(detail(page)).toHaveAttribute('data-state', 'finished');
    await action(page, 'Terminate…').click();
    await page.keyboard.press('Escape');
    await expect(dialog(page)).toHaveCount(0);
    await expect(detail(page)).toHaveAttribute('data-state', 'finished');
    await action(page, 'Terminate…').click();
    await dialog(page).getByRole('button', { name: 'Terminate' }).click();
    await expect(detail(page)).toHaveAttribute('data-state', 'terminated');
    // The confirmed terminate was sent; neither cancel sent one before it (the socket keeps order).
    await expect.poll(terminates).toBe(1);
    await expect(detail(page).locator('[data-col="state"] dd')).toHaveText('terminatedcleanup pending');
    await expect(refusal(page)).toHaveCount(0);
    await expect(actions(page).getByRole('button')).toHaveText(['Remove…']);

    await action(page, 'Remove…').click();
    await dialog(page).getByRole('button', { name: 'Remove' }).click();
    await expect(detail(page)).toHaveAttribute('data-state', 'gone');
    await expect(detail(page).locator('[data-callout="gone"]')).toContainText('This container is no longer on rack1-n02');
    await expect(row).toHaveCount(0);
    await expect(page.getByTestId('containers-count')).toHaveText('0 of 120 containers');
    // Its events stay.
    await expect(timeline(page).locator('li')).toHaveCount(4);
  });

  test('Shell opens a terminal tab inside a running container, named for it; the button is off while it is not running', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(45_000);
    const server = await launch({ mock: true });
    const sent = recordRequests(page);
    await openConfigure(page, server.url);
    const shell = detail(page).getByRole('button', { name: 'Shell', exact: true });
    const dock = page.getByRole('region', { name: 'Terminals' });

    const instance = await configure(page, manifest({ name: 'shelled', services: [{ name: 'web_server', command: 'exec sleep 1000' }] }));
    await expect(detail(page)).toHaveAttribute('data-state', 'configured');
    await expect(shell).toBeDisabled();
    await action(page, 'Start').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'running');
    await expect(shell).toBeEnabled();
    await shell.click();

    const title = `${instance}@rack1-n02`;
    await expect(dock.getByRole('tab', { name: title, exact: true })).toHaveAttribute('aria-selected', 'true');
    const terminal = dock.locator(`[role="tabpanel"][aria-label="Terminal on ${title}"]`);
    await expect(terminal).toHaveAttribute('data-terminal-state', 'open');
    const screenRow = (text: RegExp) => terminal.locator('.xterm-rows > div').filter({ hasText: text });
    await expect(screenRow(new RegExp(`^Mocked shell in ${instance.replace('.', '\\.')} on rack1-n02`))).toHaveCount(1);
    await terminal.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect(screenRow(/^42\s*$/)).toHaveCount(1);
    // The container was asked for by its unique name: exactly the one on screen, whatever else the instance named.
    const open = sent.find((r) => r.command === 'terminal.open')!;
    expect(open.payload).toMatchObject({ node: 'rack1-n02', container: await detail(page).getAttribute('data-unique') });
    await saveScreenshot(page, 'container-shell');

    // Stopped: nothing to enter any more.
    await action(page, 'Stop').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'finished');
    await expect(shell).toBeDisabled();
  });

  test('a tiny memory is killed out of memory; a server runs until stopped', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(45_000);
    const server = await launch({ mock: true });
    await openConfigure(page, server.url);

    await configure(page, manifest({ name: 'hog', memory: '1M', services: [{ name: 'hog', command: 'head -c 400000000 /dev/zero | tail' }] }));
    await action(page, 'Start').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'killed', { timeout: 15_000 });
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('out of memory');
    await expect(timeline(page).locator('li').last()).toHaveText(/killed, out of memory$/);
    await expect(actions(page).getByRole('button')).toHaveText(['Terminate…', 'Remove…']);

    // A server runs on: a container started after it, whose service exits after the mock's 3 s, ends first.
    const serverInstance = await configure(page, manifest({ name: 'server', services: [{ name: 'web_server', command: 'exec sleep 1000' }] }));
    await action(page, 'Start').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'running');
    await configure(page, manifest({ name: 'quick', services: [{ name: 'quick', command: 'exit 0' }] }));
    await action(page, 'Start').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'finished', { timeout: 15_000 });
    const serverRow = page.locator(`.ctable__body [role="row"][data-instance="${serverInstance}"]`);
    await page.getByRole('searchbox', { name: 'App' }).fill(serverInstance);
    await expect(serverRow).toHaveAttribute('data-state', 'running');
    await serverRow.locator('[data-col="instance"] button').click();
    await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(serverInstance);
    await expect(detail(page)).toHaveAttribute('data-state', 'running');
    await action(page, 'Stop').click();
    await expect(detail(page)).toHaveAttribute('data-state', 'finished');
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('signal: SIGTERM');
  });
});
