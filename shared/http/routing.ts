import type { RouteSpec } from '../../infra/topology.ts';

interface CompiledRoute {
  route: RouteSpec;
  segments: string[];
  literalCount: number;
}

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

/**
 * Matches a request path against the route table the way API Gateway does: literal segments
 * win over parameters (`/v1/contacts/batch` before `/v1/contacts/{id}`).
 */
export class RouteTable {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly RouteSpec[]) {
    this.compiled = routes.map((route) => {
      const segments = route.path.split('/').slice(1);
      return { route, segments, literalCount: segments.filter((s) => !s.startsWith('{')).length };
    });
  }

  match(method: string, rawPath: string): RouteMatch {
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
    const parts = path.split('/').slice(1);
    const candidates: { compiled: CompiledRoute; params: Record<string, string> }[] = [];
    for (const compiled of this.compiled) {
      const params = matchSegments(compiled.segments, parts);
      if (params) candidates.push({ compiled, params });
    }
    if (candidates.length === 0) return { kind: 'not_found' };
    const best = Math.max(...candidates.map((c) => c.compiled.literalCount));
    const specific = candidates.filter((c) => c.compiled.literalCount === best);
    const hit = specific.find((c) => c.compiled.route.method === method.toUpperCase());
    if (hit) return { kind: 'found', route: hit.compiled.route, params: hit.params };
    return { kind: 'method_not_allowed', allowed: [...new Set(specific.map((c) => c.compiled.route.method))] };
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of template.entries()) {
    const part = parts[i]!;
    if (segment.startsWith('{')) {
      if (part === '') return undefined;
      params[segment.slice(1, -1)] = part;
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}
