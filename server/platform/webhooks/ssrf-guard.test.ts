import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { blockedReason, guardedLookup, urlProblem } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    '::127.0.0.1',
    '2001:db8::1',
  ])('refuses %s', (ip) => {
    expect(blockedReason(ip)).not.toBeNull();
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::',
  ])('allows public %s', (ip) => {
    expect(blockedReason(ip)).toBeNull();
  });

  it('refuses private URLs unless allowed, and non-http schemes or credentials always', () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook', // 127.0.0.1 in decimal, normalised by the URL parser
      'http://0x7f.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost:3000/hook',
      'http://api.localhost/hook',
    ]) {
      expect(urlProblem(url, false), url).toMatch(/refused/);
      expect(urlProblem(url, true), url).toBeNull();
    }
    expect(urlProblem('ftp://example.com/x', true)).toMatch(/http/);
    expect(urlProblem('file:///etc/passwd', true)).toMatch(/http/);
    expect(urlProblem('https://user:pw@example.com/', true)).toMatch(/credentials/);
    expect(urlProblem('not a url', false)).toMatch(/valid URL/);
    expect(urlProblem('https://hooks.example.com/rapport', false)).toBeNull();
  });

  it('the connection-time lookup refuses a host name that resolves to loopback', async () => {
    const server = http.createServer((_req, res) => res.end('reached'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const attempt = (lookup?: typeof guardedLookup) =>
        new Promise<string>((resolve, reject) => {
          const req = http.request({ host: 'localhost', port, path: '/', lookup, family: 4, agent: false }, (res) => {
            res.setEncoding('utf8');
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
          req.end();
        });
      expect(await attempt()).toBe('reached'); // the server is really there
      await expect(attempt(guardedLookup)).rejects.toThrow(/resolves to 127\.0\.0\.1/);
    } finally {
      server.close();
    }
  });
});
