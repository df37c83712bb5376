import { csvCell, csvLine, csvLines } from './csv';

describe('CSV', () => {
  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvLine(['x', null, undefined, 3])).toBe('x,,,3\r\n');
  });

  it('writes objects as JSON and dates as ISO 8601', () => {
    expect(csvCell({ videoId: 'a1', n: 2 })).toBe('"{""videoId"":""a1"",""n"":2}"');
    expect(csvCell(new Date('2026-05-01T00:00:00Z'))).toBe('2026-05-01T00:00:00.000Z');
  });

  it('defuses text a spreadsheet would run as a formula, but keeps negative numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-30')).toBe('-30');
    expect(csvCell('-0.7')).toBe('-0.7');
    expect(csvCell('-x')).toBe("'-x");
  });

  it('S-14: quotes cells holding ; , quotes, tabs or line breaks and defuses formulas inside them', () => {
    expect(csvCell('x;=1+1;')).toBe('"x;\'=1+1;"');
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell('ok;fine')).toBe('"ok;fine"');
    expect(csvCell('x,@SUM(A1)')).toBe('"x,\'@SUM(A1)"');
    expect(csvCell('a\n+1+2')).toBe('"a\n\'+1+2"');
    expect(csvCell('list;-5;-x')).toBe('"list;-5;\'-x"');
  });

  it('yields the header, then each batch as it comes', async () => {
    const lines: string[] = [];
    for await (const chunk of csvLines(
      [
        ['id', (r: { id: number }) => r.id],
        ['double', (r: { id: number }) => r.id * 2],
      ],
      [[{ id: 1 }, { id: 2 }], [{ id: 3 }]],
    )) {
      lines.push(chunk);
    }
    expect(lines).toEqual(['id,double\r\n', '1,2\r\n2,4\r\n', '3,6\r\n']);
  });
});
