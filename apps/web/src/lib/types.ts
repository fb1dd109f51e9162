// Types the console uses, re-exported from the pure core in one place.
export type {
  Destination,
  DesiredState,
  ForwardingMethod,
  HostSetting,
  ObservedDestination,
  ObservedService,
  ObservedTable,
  Persistence,
  Protocol,
  SchedFlag,
  SchedulerName,
  Service,
  ServiceKey,
} from '@lvs-console/shared';
export type {
  AuditEntry,
  CommitOutcome,
  DriftReport,
  LiveSample,
  RevisionSummary,
  Role,
  SeriesPoint,
  ServiceSeries,
  ShareRow,
  StateSnapshot,
} from '@lvs-console/shared/api';
