export * from './auth'
export * from './mail'
export * from './workspace'
export * from './sync'
