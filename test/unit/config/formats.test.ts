import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrNetwork, isCanonicalCidr, isCidr, isHostname, isRegistry, isServerName } from '../../../src/scaffold/config/formats.ts';

test('server names: domain, domain:port, IPv4, [IPv6], with optional port', () => {
  for (const ok of ['example.org', 'example.org:8448', 'localhost', 'localhost:8008', '192.0.2.10', '192.0.2.10:8448', '[2001:db8::1]', '[::1]:8448', 'xn--bcher-kva.example'])
    assert.ok(isServerName(ok), ok);
  for (const bad of ['', 'matrix', 'Example.org', 'example.org:0', 'example.org:65536', 'example.org:', '2001:db8::1', '[192.0.2.1]', '[2001:db8::1', 'https://example.org', 'exa_mple.org', '-a.example.org', 'example.org/path', 'example.123', 'a..b'])
    assert.ok(!isServerName(bad), bad);
});

test('hostnames are lower-case FQDNs with labels of at most 63 characters', () => {
  assert.ok(isHostname('matrix.example.org'));
  assert.ok(isHostname(`${'a'.repeat(63)}.example.org`));
  for (const bad of [`${'a'.repeat(64)}.example.org`, 'Matrix.example.org', 'matrix', 'matrix.example.org:443', 'matrix.example.org.', '192.0.2.1'])
    assert.ok(!isHostname(bad), bad);
});

test('registries as they appear in image references', () => {
  for (const ok of ['docker.io', 'ghcr.io', 'registry.home.arpa:5000', 'localhost:5000', '192.0.2.1:5000']) assert.ok(isRegistry(ok), ok);
  for (const bad of ['https://ghcr.io', 'ghcr.io/org', 'ghcr.io:99999', 'GHCR.io']) assert.ok(!isRegistry(bad), bad);
});

test('CIDRs: prefix range per family, network address', () => {
  for (const ok of ['10.42.0.0/16', '0.0.0.0/0', '2001:db8::/32', '::/0', '192.0.2.1/32']) assert.ok(isCidr(ok) && isCanonicalCidr(ok), ok);
  for (const bad of ['10.42.0.0/33', '2001:db8::/129', '10.42.0.0', '10.42.0.0/-1', 'example.org/24', '10.42.0.256/16']) assert.ok(!isCidr(bad), bad);
  assert.equal(cidrNetwork('203.0.113.77/26'), '203.0.113.64/26');
  assert.equal(cidrNetwork('2001:db8:1:2:3:4:5:6/48'), '2001:db8:1::/48');
  assert.equal(cidrNetwork('::ffff:192.0.2.1/104'), '::ffff:c000:0/104');
});
