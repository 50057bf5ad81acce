// `dfsadmin -printTopology` in HDFS's layout: each rack, then its datanodes indented, with
// the node's state added where it is not simply in service.
import type { Topology } from '../../protocol/client-namenode.js';

export function formatTopology(topology: Topology): string[] {
  const lines: string[] = [];
  for (const { rack, nodes } of topology.racks) {
    lines.push(`Rack: ${rack}`);
    for (const node of nodes) {
      const notes = [node.state !== 'live' ? node.state : '', node.adminState !== 'Normal' ? node.adminState : ''].filter(Boolean);
      lines.push(`   ${node.name} (${node.hostname})${notes.length > 0 ? ` [${notes.join(', ')}]` : ''}`);
    }
    lines.push('');
  }
  return lines;
}
