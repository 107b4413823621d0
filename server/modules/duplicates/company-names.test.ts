import { describe, expect, it } from 'vitest';
import { companyKey, domainAndParents, emailDomain, hostOf, nameSimilarity } from './company-names';

describe('company names, domains and similarity', () => {
  it('ignores case, accents, punctuation and legal forms, never the whole name', () => {
    expect(companyKey('Dubuque, Inc.')).toBe('dubuque');
    expect(companyKey('DuBuque Inc')).toBe('dubuque');
    expect(companyKey('Müller GmbH & Co. KG')).toBe('muller');
    expect(companyKey('Société Générale S.A.')).toBe('societe generale');
    expect(companyKey('Globex Limited')).toBe(companyKey('GLOBEX LTD'));
    expect(companyKey('The Widget Company')).toBe('widget');
    expect(companyKey("O'Reilly Media, LLC")).toBe('oreilly media');
    expect(companyKey('Inc')).toBe('inc');
    // A legal form in the middle of a name is part of the name.
    expect(companyKey('Co Op Bank')).toBe('co op bank');
    expect(companyKey('Acme Holdings')).not.toBe(companyKey('Acme'));
  });

  it('reads domains from websites and business emails, not from free mail', () => {
    expect(hostOf('https://www.Acme.com/about?x=1')).toBe('acme.com');
    expect(hostOf('acme.com:8080')).toBe('acme.com');
    expect(hostOf('not a host')).toBeNull();
    expect(emailDomain('kim@Dubuque.example')).toBe('dubuque.example');
    expect(emailDomain('kim@gmail.com')).toBeNull();
    expect(domainAndParents('eu.sales.acme.com')).toEqual(['eu.sales.acme.com', 'sales.acme.com', 'acme.com']);
    expect(domainAndParents('shop.acme.co.uk')).toEqual(['shop.acme.co.uk', 'acme.co.uk']);
  });

  it('measures similarity as pg_trgm does', () => {
    expect(nameSimilarity('dubuque', 'dubuque')).toBe(1);
    // pg_trgm: select similarity('umbrella', 'umbrela') → 0.7
    expect(nameSimilarity('umbrella', 'umbrela')).toBeCloseTo(0.7, 5);
    expect(nameSimilarity('acme', 'globex')).toBe(0);
    expect(nameSimilarity('', 'x')).toBe(0);
  });
});
