// ipvsadm text: parse and render the rule language (`ipvsadm -R` / `-Sn`),
// parse the listings the agent observes, build argv arrays for the agent.
export {
  parseRules,
  flagNamesFor,
  MAX_TIMEOUT,
  IPVSADM_DEFAULT_PERSISTENCE,
  DEFAULT_MCAST_INTERFACE,
  type ParseRulesOptions,
  type ParseRulesResult,
  type RuleEvent,
  type RuleEventKind,
} from './rules';
export {
  renderRules,
  renderRulesFor,
  type IpvsadmTarget,
  type TargetedRules,
  renderServiceCommand,
  renderDestinationCommand,
  canonicalState,
  canonicalTunnel,
  serviceSpec,
  serviceOptions,
  tunnelOptions,
  setTimeoutsArgv,
  startDaemonArgv,
  stopDaemonArgv,
  serviceCommandArgv,
  destinationCommandArgv,
  zeroArgv,
  LIST_ARGV,
  type RenderOptions,
  type RenderableTable,
  type ServiceSettings,
} from './render';
export { servicesInSaveOrder, destinationsInSaveOrder, compareServiceKeys, compareDestKeys, serviceSortKey, glibcMergeSort } from './order';
export {
  parseListing,
  parseVersionHeader,
  parseTimeoutListing,
  parseDaemonListing,
  formatDaemonListing,
  type Listing,
  type ListingKind,
  type ListedService,
  type ListedDestination,
  type ParseResult,
} from './listing';
export {
  parseProcConnections,
  parseProcConnectionLine,
  parseConnectionListing,
  formatConnectionListing,
  type ConnectionTable,
  type ConnectionParseOptions,
  type ConnectionResult,
} from './connections';
export { parseProcIpVs, type ProcIpVs, type ProcService, type ProcServiceKey, type ProcDestination } from './proc';
export { observeFromListings, type ListingTexts, type ObserveResult } from './observe';
export { scanTokens, COMMANDS, OPTIONS, type CommandName, type OptionName, type ScannedLine } from './options';
export { tokenizeLine } from './tokens';
export { parseEndpoint, parseAddress, type ParsedEndpoint } from './endpoint';
export {
  readPaste,
  nothingToImport,
  nothingToImportSaid,
  detectImportFormat,
  type ImportFormat,
  type PasteCommand,
  type PasteNote,
  type PasteResult,
  type ReadPasteOptions,
} from './paste';
export { portOfName } from './port-names';
export {
  formatIpvsadmListing,
  formatTimeoutListing,
  largeNumber,
  serviceColumn,
  compareServices,
  type ListingMode,
  type ListingOptions,
} from './listing-render';
