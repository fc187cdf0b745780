import { describe, expect, it } from 'vitest';
import { clientIpKey } from '../src/throttle/ip-key.ts';

describe('clientIpKey', () => {
  it('an IPv4 address is its own key', () => {
    expect(clientIpKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it('IPv6 addresses in the same /64 share one key, however they are written', () => {
    const key = clientIpKey('2001:db8:abcd:12::1');
    expect(key).toBe('2001:db8:abcd:12::/64');
    expect(clientIpKey('2001:0db8:ABCD:0012:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientIpKey('2001:db8:abcd:12:1234:5678:9abc:def0')).toBe(key);
  });

  it('IPv6 addresses in different /64s get different keys', () => {
    expect(clientIpKey('2001:db8:abcd:13::1')).not.toBe(clientIpKey('2001:db8:abcd:12::1'));
    expect(clientIpKey('::1')).toBe('0:0:0:0::/64');
  });

  it('an IPv4-mapped IPv6 address counts as its IPv4 address; a zone id is ignored', () => {
    expect(clientIpKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientIpKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientIpKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('something that is not an address is kept as it is', () => {
    expect(clientIpKey('unknown')).toBe('unknown');
  });
});
