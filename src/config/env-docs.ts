import type { VariableSpec } from './config-values';
import { ENVIRONMENT } from './environment';

function expectation(spec: VariableSpec): string {
  const kind = spec.kind;
  switch (kind.type) {
    case 'int':
      return `integer ${kind.min}–${kind.max}`;
    case 'url':
      return `URL (${kind.protocols.map((p) => `${p}//`).join(', ')})`;
    case 'enum':
      return kind.values.join(' \\| ');
    case 'list':
      return 'comma-separated list';
    case 'duration':
      return 'duration (ms, s, m, h, d)';
    default:
      return kind.type;
  }
}

/** `.env.example`: every variable with its comment, commented out at its default. */
export function renderEnvExample(): string {
  const lines = ['# Smart AI Hub configuration. Generated from src/config/environment.ts.', ''];
  for (const spec of ENVIRONMENT) {
    lines.push(`# ${spec.description}`);
    const required = spec.requiredInProduction ? ' Required in production.' : '';
    lines.push(`# Expects: ${expectation(spec).replace(/\\\|/g, '|')}.${required}`);
    lines.push(`# ${spec.name}=${spec.default ?? ''}`, '');
  }
  return lines.join('\n');
}

/** The README's configuration table. */
export function renderMarkdownTable(): string {
  const rows = ENVIRONMENT.map((spec) => {
    const fallback = spec.default === undefined ? '—' : `\`${spec.default}\``;
    const required = spec.requiredInProduction ? ' **Required in production.**' : '';
    return `| \`${spec.name}\` | ${expectation(spec)} | ${fallback} | ${spec.description}${required} |`;
  });
  return ['| Variable | Expects | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  process.stdout.write(process.argv[2] === 'markdown' ? renderMarkdownTable() : renderEnvExample());
  process.stdout.write('\n');
}
