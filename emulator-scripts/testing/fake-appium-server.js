// Test stand-in for a running Appium server: answers GET /status on 127.0.0.1:<port> the way Appium does.
const http = require('node:http');

const port = Number(process.argv[2]);
http
  .createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ value: { ready: true, message: 'fake appium' } }));
  })
  .listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
