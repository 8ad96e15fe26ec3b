import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Lint that reads types: typescript-eslint's type-checked recommended rules over every TypeScript file.
export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '__tests__/fixtures/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off'
    }
  },
  // Test fakes implement the async RunCloud interface synchronously, and jest's asymmetric matchers
  // (expect.stringContaining …) are typed `any` by @types/jest.
  {
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' }
  },
  // Plain JavaScript (config files, bin/) is not part of the TypeScript project.
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked }
)
