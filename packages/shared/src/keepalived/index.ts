// keepalived.conf in and out: a pure reader (text -> desired state + notes)
// and writer (desired state -> text keepalived 2.2 accepts).
export {
  parseSyntax,
  formatPlace,
  expandBraces,
  hasGlobMagic,
  segmentMatcher,
  DEFAULT_SYNTAX_LIMITS,
  type Statement,
  type SourceRef,
  type KeepalivedNote,
  type IncludeResolver,
  type IncludedFile,
  type SyntaxLimits,
} from './syntax';
export { readKeepalivedConf, KEEPALIVED_DEFAULTS, type ReadOptions, type ReadResult } from './read';
export { writeKeepalivedConf } from './write';
export { detectImportFormat, type ImportFormat } from './detect';
