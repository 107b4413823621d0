import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { signatureHeader } from './signing';

type Verifier = (raw: string, header: string, secret: string, tolerance?: number) => { id: string; type: string };

/** The verifier exactly as docs/API.md prints it, loaded as a module. */
async function documentedVerifier(): Promise<Verifier> {
  const docs = readFileSync(path.resolve(import.meta.dirname, '../../../docs/API.md'), 'utf8');
  const block = docs.split('<!-- webhook-verifier -->')[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('docs/API.md has no verifier block');
  const file = path.join(tmpdir(), `rapport-verifier-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, block);
  const mod = (await import(pathToFileURL(file).href)) as { verifyRapportWebhook: Verifier };
  return mod.verifyRapportWebhook;
}

describe('the documented signature verifier', () => {
  let t: TestApp;
  let admin: SignedUp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await createTestApp({ webhooksAllowPrivate: true }); // the receiver is on loopback
    admin = await signUp(t.app);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.stop();
  });

  it('accepts a real delivery and rejects tampering, a wrong secret and old timestamps', async () => {
    const verify = await documentedVerifier();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { cookie: admin.cookie },
      payload: { url: `${receiver.url}/in`, eventTypes: ['*'] },
    });
    const { id, secret } = created.json().data;
    await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/ping`, headers: { cookie: admin.cookie } });
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    const [got] = await receiver.waitFor(1);
    if (!got) throw new Error('no delivery');
    const header = String(got.headers['rapport-signature']);

    expect(verify(got.body, header, secret)).toMatchObject({ id: got.json.id, type: 'webhook.ping' });
    expect(() => verify(got.body.replace('webhook.ping', 'webhook.pong'), header, secret)).toThrow('bad signature');
    expect(() => verify(got.body, header, 'whsec_wrong')).toThrow('bad signature');
    expect(() => verify(got.body, 'v1=abc', secret)).toThrow('malformed');
    const old = signatureHeader(secret, got.body, Math.floor(Date.now() / 1000) - 301);
    expect(() => verify(got.body, old, secret)).toThrow('too old');
    const recent = signatureHeader(secret, got.body, Math.floor(Date.now() / 1000) - 200);
    expect(verify(got.body, recent, secret).id).toBe(got.json.id);
  });
});
