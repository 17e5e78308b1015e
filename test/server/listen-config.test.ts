// The listeners rule of issue 14: plaintext only on loopback unless --insecure; with TLS the
// client API on its own port.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackAddress, parseListenSettings } from '../../src/server/listen-config.js';

const hostPort = () => true;

function parse(input: Parameters<typeof parseListenSettings>[0], listen: string, tls: boolean) {
  const problems: string[] = [];
  const config = parseListenSettings(input, { listen, tls }, hostPort, problems);
  return { config, problems };
}

describe('listen settings', () => {
  test('loopback addresses', () => {
    for (const a of ['127.0.0.1:7101', '127.1.2.3:1', '[::1]:7101', 'localhost:7101', 'LOCALHOST:1', '[::ffff:127.0.0.1]:7'])
      assert.equal(isLoopbackAddress(a), true, a);
    for (const a of ['0.0.0.0:7101', '[::]:7101', '10.0.0.1:7101', 'db1.example:7101', '192.168.1.5:1', '[fe80::1]:7'])
      assert.equal(isLoopbackAddress(a), false, a);
  });

  test('plaintext on a non-loopback address without insecure: a problem that names the address and both ways out', () => {
    const { problems } = parse({}, '0.0.0.0:7101', false);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /0\.0\.0\.0:7101 is not a loopback address and TLS is off/);
    assert.match(problems[0], /tls-ca|insecure: true/);
    const client = parse({ clientListen: '10.0.0.1:7201' }, '127.0.0.1:7101', false);
    assert.match(client.problems[0], /10\.0\.0\.1:7201 is not a loopback address/);
  });

  test('insecure allows it and marks the node as exposed; loopback plaintext is not exposed', () => {
    const { config, problems } = parse({ insecure: true }, '0.0.0.0:7101', false);
    assert.deepEqual(problems, []);
    assert.equal(config.insecure, true);
    assert.equal(config.exposedPlaintext, true);
    assert.equal(parse({}, '127.0.0.1:7101', false).config.exposedPlaintext, false);
    assert.equal(parse({ insecure: 'true' }, '127.0.0.1:7101', false).config.insecure, true);
    assert.match(parse({ insecure: 'yes' }, '127.0.0.1:7101', false).problems[0], /insecure/);
  });

  test('with TLS the client API needs its own port; any address is fine', () => {
    assert.match(parse({}, '10.0.0.1:7101', true).problems[0], /clientListen: missing.*10\.0\.0\.1:7201/);
    assert.match(parse({ clientListen: '10.0.0.1:7101' }, '10.0.0.1:7101', true).problems[0], /same address as listen/);
    const ok = parse({ clientListen: '10.0.0.1:7201' }, '0.0.0.0:7101', true);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.config.clientListen, '10.0.0.1:7201');
    assert.equal(ok.config.exposedPlaintext, false);
    assert.deepEqual(parse({ clientListen: '127.0.0.1:0' }, '127.0.0.1:0', true).problems, [], 'two ephemeral ports are two ports');
  });

  test('without TLS the same address as listen means the shared port', () => {
    const { config, problems } = parse({ clientListen: '127.0.0.1:7101' }, '127.0.0.1:7101', false);
    assert.deepEqual(problems, []);
    assert.equal(config.clientListen, undefined);
  });
});
