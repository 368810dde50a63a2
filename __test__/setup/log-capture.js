/**
 * Global setup: every uzgate log line of the whole run (this process and the workers it forks)
 * goes to one file, through UZGATE_LOG_FILE.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function logCapture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-logs-'));
  process.env.UZGATE_LOG_FILE = path.join(dir, 'all.log');
};
