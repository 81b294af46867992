import { describe, expect, it } from 'vitest';
import { ExpositionError, parseExposition, parseFloatValue } from './exposition-parser.js';

describe('exposition parser', () => {
  it('reads HELP, TYPE, comments and samples as the Go client writes them', () => {
    const text = [
      '# HELP butler_localconfig_reload_count butler reload counter',
      '# TYPE butler_localconfig_reload_count gauge',
      'butler_localconfig_reload_count{manager="prometheus"} 3',
      '# a free comment',
      '',
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      'process_start_time_seconds 1.76990399989e+09',
      'butler_remoterepo_contact_time{config_file="rules/alerts.yml",repo="cfg.example.com"} 1.7699040012345679e+09 1769904001234',
      '',
    ].join('\n');
    const e = parseExposition(text);
    expect(e.types.get('butler_localconfig_reload_count')).toBe('gauge');
    expect(e.help.get('process_start_time_seconds')).toBe('Start time of the process since unix epoch in seconds.');
    expect(e.samples).toEqual([
      { name: 'butler_localconfig_reload_count', labels: { manager: 'prometheus' }, value: 3 },
      { name: 'process_start_time_seconds', labels: {}, value: 1769903999.89 },
      {
        name: 'butler_remoterepo_contact_time',
        labels: { config_file: 'rules/alerts.yml', repo: 'cfg.example.com' },
        value: 1769904001.2345679,
        timestampMs: 1769904001234,
      },
    ]);
  });

  it('resolves label escapes, blanks, a trailing comma and an empty label set', () => {
    const e = parseExposition('m{a="x\\"y\\\\z\\nw" , b = "",} 1\nn{} 2\n\tm2 3');
    expect(e.samples[0]!.labels).toEqual({ a: 'x"y\\z\nw', b: '' });
    expect(e.samples[1]!.labels).toEqual({});
    expect(e.samples[2]!.name).toBe('m2');
  });

  it('reads NaN and the infinities as Go does, and a HELP with escapes', () => {
    const e = parseExposition('# HELP a line one\\nline \\\\two\na NaN\nb +Inf\nc -Inf\nd inf\ne -Infinity\nf .5e-3\ng 7.\n');
    expect(e.help.get('a')).toBe('line one\nline \\two');
    const values = e.samples.map((s) => s.value);
    expect(Number.isNaN(values[0])).toBe(true);
    expect(values.slice(1)).toEqual([Infinity, -Infinity, Infinity, -Infinity, 0.0005, 7]);
    expect(parseFloatValue('0x1p-2')).toBeUndefined();
    expect(parseFloatValue('1_000')).toBeUndefined();
  });

  it('groups histogram and summary samples and checks le and quantile', () => {
    const ok = '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# TYPE s summary\ns{quantile="0.9"} 1\ns_sum 1\ns_count 1\n';
    expect(parseExposition(ok).samples).toHaveLength(7);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket 1\n')).toThrow(/line 2: h_bucket needs a "le" label/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="x"} 1\n')).toThrow(/"le" label that is not a number/);
    expect(() => parseExposition('# TYPE s summary\ns 1\n')).toThrow(/needs a "quantile" label/);
  });

  it('accepts a last line without a newline', () => {
    expect(parseExposition('a 1').samples).toEqual([{ name: 'a', labels: {}, value: 1 }]);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['a metric name that starts with a digit', '1abc 1', /line 1: expected a metric name, found "1abc"/],
    ['no value', 'abc\n', /line 1: abc has no value/],
    ['a value that is not a number', 'abc{a="b"} one', /invalid value "one"/],
    ['an unterminated label value', 'abc{a="b} 1', /the value of label "a" has no closing quote/],
    ['an unknown escape', 'abc{a="\\t"} 1', /invalid escape "\\\\t"/],
    ['a missing =', 'abc{a "b"} 1', /expected '=' after label name "a"/],
    ['an unquoted label value', 'abc{a=b} 1', /expected '"' to open the value of label "a"/],
    ['a missing comma', 'abc{a="b" c="d"} 1', /expected ',' or '}' after the value of label "a"/],
    ['a bad label name', 'abc{a-b="c"} 1', /expected a label name in abc/],
    ['the reserved label', 'abc{__name__="x"} 1', /__name__ is reserved/],
    ['a label given twice', 'abc{a="1",a="2"} 1', /label a appears twice/],
    ['a fractional timestamp', 'abc 1 12.5', /invalid timestamp "12.5"/],
    ['text after the timestamp', 'abc 1 12 extra', /unexpected text after the timestamp/],
    ['an unknown TYPE', '# TYPE abc gaugeish', /must be followed by one of counter/],
    ['a second TYPE', '# TYPE abc gauge\n# TYPE abc counter', /line 2: a second TYPE line for abc/],
    ['a TYPE after samples', 'abc 1\n# TYPE abc gauge', /line 2: the TYPE line for abc comes after its samples/],
    ['a second HELP', '# HELP abc x\n# HELP abc y', /a second HELP line for abc/],
    ['the same series twice', 'abc{a="1",b="2"} 1\nabc{b="2",a="1"} 2', /line 2: abc appears twice with the same labels/],
    ['a bad HELP escape', '# HELP abc a\\tb', /invalid escape "\\\\t" in HELP/],
    ['a Windows line ending', 'abc 1\r\n', /invalid value "1\\r"/],
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>', /line 1: expected a metric name/],
  ];
  it.each(malformed)('refuses %s with the line and what was expected', (_what, text, message) => {
    let error: unknown;
    try {
      parseExposition(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExpositionError);
    expect((error as Error).message).toMatch(message);
  });
});
