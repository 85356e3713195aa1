// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ko } from './ko';
import { organizationsEn, organizationsKo } from './organizations';

describe('the organizations messages', () => {
  it('call the organization’s admin 조직 관리자, never bare 관리자 (the service’s staff)', () => {
    const bareAdmin = (text: string) => text.replaceAll('조직 관리자', '').includes('관리자');
    expect(Object.entries(organizationsKo).filter(([, text]) => bareAdmin(text))).toEqual([]);
    expect(bareAdmin('관리자에게 문의해 주세요.')).toBe(true);
    expect(bareAdmin('조직 관리자와 구성원')).toBe(false);
    expect(organizationsKo.orgRoleAdmin).not.toBe(ko.navAdmin);
  });

  it('are spread into the app’s messages with the same keys in both languages', () => {
    expect(Object.keys(organizationsEn).sort()).toEqual(Object.keys(organizationsKo).sort());
    for (const [key, text] of Object.entries(organizationsKo)) expect((ko as Record<string, string>)[key], key).toBe(text);
  });
});
