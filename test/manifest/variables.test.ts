import { isEnvReference, substitute, type VariableScope } from '../../src/manifest/variables.js';

const scope = (vars: VariableScope['vars'] = {}, env: NodeJS.ProcessEnv = {}): VariableScope => ({ environment: 'staging', vars, env });

describe('substitute', () => {
  it('replaces ${var.X} from the environment vars and ${env.X} from the process', () => {
    const r = substitute('http://${var.host}:${env.PORT}/x', scope({ host: { value: 'api.internal', sensitive: false } }, { PORT: '8080' }), ['url']);
    expect(r.value).toBe('http://api.internal:8080/x');
    expect(r.problems).toEqual([]);
  });

  it('walks maps and lists, keeps the path of each value, and leaves non-strings alone', () => {
    const input = { a: ['x', '${var.v}', 3], b: { c: true, d: null, e: '${env.S}' } };
    const r = substitute(input, scope({ v: { value: 'V', sensitive: false } }, { S: 'secret-1' }), ['spec']);
    expect(r.value).toEqual({ a: ['x', 'V', 3], b: { c: true, d: null, e: 'secret-1' } });
    expect(r.sensitive).toEqual([['spec', 'b', 'e']]);
    expect(r.secrets).toEqual(['secret-1']);
    expect(input.a[1]).toBe('${var.v}'); // the input is not modified
  });

  it('marks every value from ${env...} sensitive, also through a var that came from the environment', () => {
    const r = substitute({ plain: '${var.p}', viaVar: 'Bearer ${var.tok}', direct: '${env.T}' }, scope({ p: { value: 'public', sensitive: false }, tok: { value: 'tok-from-env', sensitive: true } }, { T: 'direct-secret' }));
    expect(r.sensitive).toEqual([['viaVar'], ['direct']]);
    expect(r.secrets.sort()).toEqual(['direct-secret', 'tok-from-env']);
  });

  it('an empty ${env.X} is sensitive but adds no empty secret', () => {
    const r = substitute('${env.EMPTY}', scope({}, { EMPTY: '' }), ['k']);
    expect(r.value).toBe('');
    expect(r.sensitive).toEqual([['k']]);
    expect(r.secrets).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('$${ writes a literal ${ and is never substituted', () => {
    const r = substitute('$${var.x} and $${env.HOME} and ${var.x}', scope({ x: { value: 'X', sensitive: false } }, { HOME: '/root' }));
    expect(r.value).toBe('${var.x} and ${env.HOME} and X');
    expect(r.problems).toEqual([]);
    expect(r.sensitive).toEqual([]);
    expect(substitute('cost: $5 and $${', scope()).value).toBe('cost: $5 and ${');
  });

  it('names a missing variable, never substitutes an empty string', () => {
    const r = substitute({ url: '${var.nope}', key: '${env.NOPE_KEY}' }, scope(), ['spec']);
    expect(r.problems).toEqual([
      { path: ['spec', 'url'], code: 'variable-missing', message: "variable nope is not defined in the vars of environment 'staging' (used as ${var.nope})" },
      { path: ['spec', 'key'], code: 'variable-missing', message: 'environment variable NOPE_KEY is not set (used as ${env.NOPE_KEY})' },
    ]);
    expect(r.value).toEqual({ url: '${var.nope}', key: '${env.NOPE_KEY}' });
    expect(r.secrets).toEqual([]);
  });

  it('says where a var that could not be resolved is written', () => {
    const r = substitute('${var.up}', scope({ up: { value: '${env.UP}', sensitive: false, broken: 'gitway.yaml:6:9' } }), ['u']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toBe("variable up of environment 'staging' could not be resolved (see gitway.yaml:6:9), so ${var.up} has no value");
  });

  it.each([
    ['${foo}', "'${foo}' is not a variable reference"],
    ['${}', "'${}' is not a variable reference"],
    ['${var.}', "'${var.}' is not a variable reference"],
    ['${secret.X}', "'${secret.X}' is not a variable reference"],
    ['${var.a-b}', "'${var.a-b}' is not a variable reference"],
    ['http://${var.host', "'${' is not closed"],
  ])('reports %j as a syntax problem', (text, message) => {
    const r = substitute(text, scope({ host: { value: 'h', sensitive: false } }), ['x']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].code).toBe('variable-syntax');
    expect(r.problems[0].message).toContain(message);
    expect(r.problems[0].path).toEqual(['x']);
  });

  it('allows spaces inside the braces', () => {
    expect(substitute('${ var.a }', scope({ a: { value: 'A', sensitive: false } })).value).toBe('A');
  });
});

describe('isEnvReference', () => {
  it('is true only for exactly one ${env.NAME}', () => {
    expect(isEnvReference('${env.KEY}')).toBe(true);
    expect(isEnvReference(' ${env.KEY} ')).toBe(true);
    expect(isEnvReference('${var.KEY}')).toBe(false);
    expect(isEnvReference('prefix-${env.KEY}')).toBe(false);
    expect(isEnvReference('${env.A}${env.B}')).toBe(false);
    expect(isEnvReference('$${env.KEY}')).toBe(false);
    expect(isEnvReference('plain')).toBe(false);
    expect(isEnvReference(42)).toBe(false);
  });
});
