// Plans as ipvsadm lines ("these ipvsadm lines will run").
import { renderPlan, type Change } from '@lvs-console/shared/plan';

export function planLines(changes: readonly Change[]): string[] {
  return renderPlan(changes);
}
