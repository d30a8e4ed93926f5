// Every test run starts as a fresh clone does: without what earlier runs left in the fixtures'
// .gitway folders (result caches, rendered configs). A cache left there answered the OpenAPI
// analysis of fixtures/shop and hid a bug that only a fresh clone's run showed.
const { readdirSync, rmSync } = require('node:fs');
const path = require('node:path');

module.exports = function globalSetup() {
  const fixtures = path.join(__dirname, '..', 'fixtures');
  for (const entry of readdirSync(fixtures, { withFileTypes: true })) {
    if (entry.isDirectory()) rmSync(path.join(fixtures, entry.name, '.gitway'), { recursive: true, force: true });
  }
};
