/**
 * MLflow's registered-model URIs: `models:/<name>/<version>`, `models:/<name>@<alias>`,
 * `models:/<name>/latest`; the `models:/` prefix may be left out.
 */

export type ModelRef =
  | { kind: 'version'; name: string; version: number }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'latest'; name: string };

export function parseModelUri(text: string): ModelRef {
  const uri = text.trim();
  const body = uri.startsWith('models:/') ? uri.slice('models:/'.length) : uri;
  if (!body) throw new Error('Give a model as name@alias, name/version or models:/name@alias.');
  const at = body.lastIndexOf('@');
  if (at >= 0) {
    const name = body.slice(0, at);
    const alias = body.slice(at + 1);
    if (!name || !alias) throw new Error(`"${uri}" is not name@alias.`);
    return { kind: 'alias', name, alias };
  }
  const slash = body.lastIndexOf('/');
  if (slash < 0) throw new Error(`"${uri}" names no version or alias: write ${body}@champion or ${body}/1.`);
  const name = body.slice(0, slash);
  const tail = body.slice(slash + 1);
  if (!name) throw new Error(`"${uri}" has no model name.`);
  if (tail === 'latest') return { kind: 'latest', name };
  if (!/^\d+$/.test(tail) || Number(tail) < 1) throw new Error(`"${tail}" is not a version number (1, 2, ...) in "${uri}".`);
  return { kind: 'version', name, version: Number(tail) };
}

export function formatModelUri(name: string, version: number): string {
  return `models:/${name}/${version}`;
}
