// English catalog: only the texts that differ from their key. A key is the
// English text itself, so i18next shows a key with no entry here as written
// (placeholders filled); what English needs beyond that are the singular and
// plural forms of each {{count}} text. Every key the console uses is in the
// Chinese catalog (zh-CN.ts); unit tests check both against the source.
// Listing each English text a second time here cost the initial bundle about
// 20 KB gzip (all of it loaded before the first screen).
const en: Record<string, string> = {
  'Applied (revision {{revision}}, {{count}} ipvsadm lines)._one': 'Applied (revision {{revision}}, {{count}} ipvsadm line).',
  'Applied (revision {{revision}}, {{count}} ipvsadm lines)._other': 'Applied (revision {{revision}}, {{count}} ipvsadm lines).',
  'Delete {{count}} services and apply_one': 'Delete {{count}} service and apply',
  'Delete {{count}} services and apply_other': 'Delete {{count}} services and apply',
  'Delete {{count}} services?_one': 'Delete {{count}} service?',
  'Delete {{count}} services?_other': 'Delete {{count}} services?',
  'Imported: revision {{revision}}, {{count}} ipvsadm lines ran._one': 'Imported: revision {{revision}}, {{count}} ipvsadm line ran.',
  'Imported: revision {{revision}}, {{count}} ipvsadm lines ran._other': 'Imported: revision {{revision}}, {{count}} ipvsadm lines ran.',
  'Nothing can be imported: fix these {{count}} errors first._one': 'Nothing can be imported: fix this error first.',
  'Nothing can be imported: fix these {{count}} errors first._other': 'Nothing can be imported: fix these {{count}} errors first.',
  'Read as a listing: {{count}} services._one': 'Read as a listing: {{count}} service.',
  'Read as a listing: {{count}} services._other': 'Read as a listing: {{count}} services.',
  'Reading the table costs the kernel time at scale: pages are bounded to {{count}}._one':
    'Reading the table costs the kernel time at scale: pages are bounded to {{count}}.',
  'Reading the table costs the kernel time at scale: pages are bounded to {{count}}._other':
    'Reading the table costs the kernel time at scale: pages are bounded to {{count}}.',
  'Skipped lines ({{count}})_one': 'Skipped lines ({{count}})',
  'Skipped lines ({{count}})_other': 'Skipped lines ({{count}})',
  'Switching to {{scheduler}} re-assigns every client ({{count}} of {{count}} sample clients may move); open connections stay where they are._one':
    'Switching to {{scheduler}} re-assigns every client ({{count}} of {{count}} sample clients may move); open connections stay where they are.',
  'Switching to {{scheduler}} re-assigns every client ({{count}} of {{count}} sample clients may move); open connections stay where they are._other':
    'Switching to {{scheduler}} re-assigns every client ({{count}} of {{count}} sample clients may move); open connections stay where they are.',
  'Test sent to {{count}} targets: {{answers}}_one': 'Test sent to {{count}} target: {{answers}}',
  'Test sent to {{count}} targets: {{answers}}_other': 'Test sent to {{count}} targets: {{answers}}',
  'This import replaces the table: it deletes {{count}} services it does not define._one':
    'This import replaces the table: it deletes {{count}} service it does not define.',
  'This import replaces the table: it deletes {{count}} services it does not define._other':
    'This import replaces the table: it deletes {{count}} services it does not define.',
  'This pair has {{count}} VRRP instances ({{names}}); edit them through an import or the API (<code>cluster.setHa</code>)._one':
    'This pair has {{count}} VRRP instance ({{names}}); edit it through an import or the API (<code>cluster.setHa</code>).',
  'This pair has {{count}} VRRP instances ({{names}}); edit them through an import or the API (<code>cluster.setHa</code>)._other':
    'This pair has {{count}} VRRP instances ({{names}}); edit them through an import or the API (<code>cluster.setHa</code>).',
  'and {{count}} more_one': 'and {{count}} more',
  'and {{count}} more_other': 'and {{count}} more',
  'and {{count}} more (see Real servers setup)_one': 'and {{count}} more (see Real servers setup)',
  'and {{count}} more (see Real servers setup)_other': 'and {{count}} more (see Real servers setup)',
  'kernel differs in {{count}} places_one': 'kernel differs in {{count}} place',
  'kernel differs in {{count}} places_other': 'kernel differs in {{count}} places',
  'last {{count}} probes: {{ok}} ok, {{failed}} failed_one': 'last probe: {{ok}} ok, {{failed}} failed',
  'last {{count}} probes: {{ok}} ok, {{failed}} failed_other': 'last {{count}} probes: {{ok}} ok, {{failed}} failed',
  'settings: {{count}} failing_one': 'settings: {{count}} failing',
  'settings: {{count}} failing_other': 'settings: {{count}} failing',
  '{{count}} active_one': '{{count}} active',
  '{{count}} active_other': '{{count}} active',
  '{{count}} behind_one': '{{count}} behind',
  '{{count}} behind_other': '{{count}} behind',
  '{{count}} connections left_one': '{{count}} connection left',
  '{{count}} connections left_other': '{{count}} connections left',
  '{{count}} failing_one': '{{count}} failing',
  '{{count}} failing_other': '{{count}} failing',
  '{{count}} flaps_one': '{{count}} flap',
  '{{count}} flaps_other': '{{count}} flaps',
  '{{count}} h ago_one': '{{count}} h ago',
  '{{count}} h ago_other': '{{count}} h ago',
  '{{count}} ipvsadm lines_one': '{{count}} ipvsadm line',
  '{{count}} ipvsadm lines_other': '{{count}} ipvsadm lines',
  '{{count}} min_one': '{{count}} min',
  '{{count}} min_other': '{{count}} min',
  '{{count}} min ago_one': '{{count}} min ago',
  '{{count}} min ago_other': '{{count}} min ago',
  '{{count}} minutes_one': '{{count}} minute',
  '{{count}} minutes_other': '{{count}} minutes',
  '{{count}} notes on weights_one': '{{count}} note on weights',
  '{{count}} notes on weights_other': '{{count}} notes on weights',
  '{{count}} persistence templates_one': '{{count}} persistence template',
  '{{count}} persistence templates_other': '{{count}} persistence templates',
  '{{count}} rule lines found (ipvsadm -C: the paste replaces the whole table)._one':
    '{{count}} rule line found (ipvsadm -C: the paste replaces the whole table).',
  '{{count}} rule lines found (ipvsadm -C: the paste replaces the whole table)._other':
    '{{count}} rule lines found (ipvsadm -C: the paste replaces the whole table).',
  '{{count}} rule lines found._one': '{{count}} rule line found.',
  '{{count}} rule lines found._other': '{{count}} rule lines found.',
  '{{count}} s_one': '{{count}} s',
  '{{count}} s_other': '{{count}} s',
  '{{count}} s ago_one': '{{count}} s ago',
  '{{count}} s ago_other': '{{count}} s ago',
  '{{count}} services_one': '{{count}} service',
  '{{count}} services_other': '{{count}} services',
  '{{count}} things are not carried over as written:_one': '{{count}} thing is not carried over as written:',
  '{{count}} things are not carried over as written:_other': '{{count}} things are not carried over as written:',
  'Ended {{count}} sessions._one': 'Ended {{count}} session.',
  'Ended {{count}} sessions._other': 'Ended {{count}} sessions.',
  '{{address}} (in {{count}} services)_one': '{{address}} (in {{count}} service)',
  '{{address}} (in {{count}} services)_other': '{{address}} (in {{count}} services)',
  'Show {{count}} more_one': 'Show {{count}} more',
  'Show {{count}} more_other': 'Show {{count}} more',
  'Show all {{count}}_one': 'Show all {{count}}',
  'Show all {{count}}_other': 'Show all {{count}}',
  '{{count}} persistence templates still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1_one':
    '{{count}} persistence template still pins clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1',
  '{{count}} persistence templates still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1_other':
    '{{count}} persistence templates still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1',
  'drained: no connections left ({{count}} persistence templates still point here and expire on their own); safe to remove_one':
    'drained: no connections left ({{count}} persistence template still points here and expires on its own); safe to remove',
  'drained: no connections left ({{count}} persistence templates still point here and expire on their own); safe to remove_other':
    'drained: no connections left ({{count}} persistence templates still point here and expire on their own); safe to remove',
  'draining: {{initial}} → {{count}} connections{{rate}}_one': 'draining: {{initial}} → {{count}} connection{{rate}}',
  'draining: {{initial}} → {{count}} connections{{rate}}_other': 'draining: {{initial}} → {{count}} connections{{rate}}',
  'draining: {{initial}} → {{count}} connections{{rate}}, about {{left}} left_one': 'draining: {{initial}} → {{count}} connection{{rate}}, about {{left}} left',
  'draining: {{initial}} → {{count}} connections{{rate}}, about {{left}} left_other':
    'draining: {{initial}} → {{count}} connections{{rate}}, about {{left}} left',
};

export default en;
