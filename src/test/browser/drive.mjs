// Drives eventbus.html in headless Chromium (Debian's /usr/bin/chromium; never a downloaded browser) and
// prints one JSON line per scenario on stdout. Run by BrowserEventBusTest, which checks what they say:
//   node drive.mjs '{"page":"http://127.0.0.1:P/eventbus.html","service":"http://127.0.0.1:S",
//                    "token":"...","badToken":"...","transports":["websocket", ...]}'
import { chromium } from 'playwright-core';

const job = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', // CI runs as root, where Chromium's sandbox cannot start
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    // this machine has no outside network: without these Chromium keeps trying to reach Google's hosts
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

function print(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  const context = await browser.newContext();
  for (const transport of job.transports) {
    const page = await context.newPage();
    const console = [];
    page.on('console', (m) => console.push(m.type() + ': ' + m.text()));
    await page.goto(job.page);
    const result = await page.evaluate((args) => window.runScenario(args), {
      service: job.service, token: job.token, transport, entityId: job.entityPrefix + '-' + transport,
    });
    print({ scenario: 'flow', ...result, console });
    await page.close();
  }

  // a bad token: the info request is refused (401), so the client never opens
  const page = await context.newPage();
  await page.goto(job.page);
  const refused = await page.evaluate(({ service, badToken }) => new Promise((resolve) => {
    const eb = new EventBus(service + '/eventbus?access_token=' + encodeURIComponent(badToken));
    const timer = setTimeout(() => resolve({ opened: false, closed: false }), 15000);
    eb.onopen = () => { clearTimeout(timer); resolve({ opened: true }); eb.close(); };
    eb.onclose = (e) => { clearTimeout(timer); resolve({ opened: false, closed: true, code: e && e.code }); };
  }), { service: job.service, badToken: job.badToken });
  print({ scenario: 'bad-token', ...refused });
} finally {
  await browser.close();
}
