export * from './version.ts';
export * from './domain.ts';
export * from './scope.ts';
export * from './mutations.ts';
export * from './sync.ts';
export * from './http.ts';
export * from './ipc.ts';
export * from './whatsapp-templates.ts';
