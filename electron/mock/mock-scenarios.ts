/**
 * The mocked backend's scenarios, by name: the CLI's usage, argument parsing
 * and completion name them on every start, and must not load the mocked
 * backend (every mocked capability) to do so.
 */
export const mockScenarios = ['default', 'readiness-error', 'containers-10k', 'empty-inventory'] as const;
export type MockScenario = (typeof mockScenarios)[number];
