import { caddyDriver } from '../../src/gateways/caddy/index.js';
import { caddyTitle, caddyValidate, describeWithCaddy } from '../helpers/caddy.js';
import { modelFrom } from '../helpers/model.js';
import { richDocuments, richFiles } from '../helpers/rich.js';

describeWithCaddy(caddyTitle('compiled configs in the real `caddy validate`'), () => {
  it('accepts a config that uses every policy Caddy can enforce, templates, weights and health checks', async () => {
    const m = await modelFrom(richFiles, richDocuments);
    const r = caddyValidate(caddyDriver.render(caddyDriver.compile(m.state, { secrets: m.secrets })));
    expect(r.output).toContain('Valid configuration');
    expect(r.ok).toBe(true);
  });

  it('accepts the config of an empty repository (only the 404)', async () => {
    const m = await modelFrom({});
    const r = caddyValidate(caddyDriver.render(caddyDriver.compile(m.state)));
    expect(r.ok).toBe(true);
  });
});
