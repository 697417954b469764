import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeSubject } from '../../src/domain/subject.ts';

describe('R17: subjects as threads show them', () => {
  const cases: [string | null | undefined, string][] = [
    ['Interview next week', 'Interview next week'],
    ['Re: Interview next week', 'Interview next week'],
    ['RE: Interview', 'Interview'],
    ['re:Interview', 'Interview'],
    ['Fwd: Interview', 'Interview'],
    ['FW: Interview', 'Interview'],
    ['Fw: Interview', 'Interview'],
    ['Re: Re: RE: Fwd: Interview', 'Interview'],
    ['Re[2]: Interview', 'Interview'],
    ['Re(3): Interview', 'Interview'],
    ['Re^2: Interview', 'Interview'],
    ['AW: WG: Vorstellungsgespräch', 'Vorstellungsgespräch'],
    ['SV: VB: Intervju', 'Intervju'],
    ['VS: Haastattelu', 'Haastattelu'],
    ['RV: Enc: Entrevista', 'Entrevista'],
    ['TR: Entretien', 'Entretien'],
    ['Antw: Sollicitatie', 'Sollicitatie'],
    ['回复：面试', '面试'],
    ['转发: 面试', '面试'],
    ['  Re:   Interview    next   week  ', 'Interview next week'],
    ['[EXTERNAL] RE: Offer', 'Offer'],
    ['[EXTERNAL] RE: [EXTERNAL] Re: Offer', 'Offer'],
    ['Re: [EXTERNAL] Offer', '[EXTERNAL] Offer'],
    ['[Urgent] Interview', '[Urgent] Interview'],
    ['Regarding the interview', 'Regarding the interview'],
    ['Fwdnews: weekly', 'Fwdnews: weekly'],
    ['Re:', ''],
    ['', ''],
    [null, ''],
    [undefined, ''],
  ];
  for (const [subject, expected] of cases) {
    it(`R17: ${JSON.stringify(subject)} is shown as ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeSubject(subject), expected);
    });
  }
});
