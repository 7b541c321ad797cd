import * as z from 'zod';
import { routeKey, type RouteSpec } from '../../infra/topology.ts';
import { PERMISSIONS } from '../domain/permissions.ts';
import type { AnyOperation, OperationRegistry } from './operation.ts';
import { ProblemSchema } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the route table and the very zod schemas that validate
 * requests, so the reference cannot drift from the behaviour.
 */
export function openApiDocument<S>(routes: readonly RouteSpec[], operations: OperationRegistry<S>, info: { version: string }) {
  const components: Record<string, JsonSchema> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    for (const [id, def] of Object.entries(defs)) components[id] ??= rewriteRefs(def) as JsonSchema;
    const { $defs: _defs, $schema: _schema, ...rest } = json;
    return rewriteRefs(rest) as JsonSchema;
  };
  const problemRef = convert(ProblemSchema, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = operations[route.operationId] as AnyOperation<S>;
    const parameters = [
      ...objectParameters(operation.params, 'path', convert),
      ...objectParameters(operation.query, 'query', convert),
      ...(operation.idempotent
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
        : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(operation.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { 'application/json': { schema: convert(spec.schema, 'output') } } } : {}),
      };
    }
    responses.default = { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: problemRef } } };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      ...(route.permission === 'public'
        ? { security: [] }
        : { 'x-kith-permission': route.permission, 'x-kith-minimum-role': PERMISSIONS[route.permission] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(operation.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: convert(operation.body, 'input') } } } }
        : {}),
      responses,
      'x-kith-route-key': routeKey(route),
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Kith API',
      version: info.version,
      description: 'Contacts, companies and everything around them. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (kith_…) or a Cognito access token' },
      },
    },
  };
}

function objectParameters(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  convert: (schema: z.ZodType, io: 'input' | 'output') => JsonSchema,
) {
  if (!schema) return [];
  const json = convert(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v),
      ]),
    );
  }
  return value;
}

/** A self-contained page that renders the document (no CDN, works offline and under a strict CSP). */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kith API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330}header{background:#1d2330;color:#fff;padding:16px 32px}
main{max-width:980px;margin:0 auto;padding:16px 32px}h2{margin-top:32px;border-bottom:1px solid #dde}
.op{border:1px solid #dde;border-radius:6px;margin:10px 0}.op summary{padding:8px 12px;cursor:pointer}
.m{display:inline-block;width:64px;font-weight:700;font-family:monospace}.GET{color:#0a7}.POST{color:#06c}.PATCH{color:#b70}.DELETE{color:#c33}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f6f8;padding:10px;overflow:auto;margin:0 12px 12px}
.d{padding:0 12px}.role{color:#667;font-size:13px}
</style></head><body><header><h1>Kith API</h1><p>Reference generated from the code: <a style="color:#9cf" href="/v1/openapi.json">/v1/openapi.json</a></p></header>
<main id="root">Loading…</main>
<script>
fetch('/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))(byTag[op.tags[0]]??=[]).push({path,m:m.toUpperCase(),op});
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  const root=document.getElementById('root');root.innerHTML='';
  for(const [tag,ops] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    for(const {path,m,op} of ops){
      const d=document.createElement('details');d.className='op';
      const body=op.requestBody?'<p class="d"><b>Body</b></p><pre>'+esc(JSON.stringify(op.requestBody.content['application/json'].schema,null,2))+'</pre>':'';
      const params=(op.parameters||[]).map(p=>'<code>'+esc(p.in+' '+p.name)+'</code>').join(' ');
      d.innerHTML='<summary><span class="m '+m+'">'+m+'</span><code>'+esc(path)+'</code> — '+esc(op.summary)+'</summary>'
        +'<p class="d">'+esc(op.description||'')+'</p><p class="d role">'+(op['x-kith-minimum-role']?'Minimum role: '+esc(op['x-kith-minimum-role']):'Public')+'</p>'
        +(params?'<p class="d">'+params+'</p>':'')+body
        +'<p class="d"><b>Responses</b>: '+Object.keys(op.responses).map(esc).join(', ')+'</p>';
      root.appendChild(d);
    }
  }
});
</script></body></html>`;
}
