import { join } from 'node:path';
import { parseEdiPartners, type EdiPartner } from '../../src/connectors/edi/index.ts';

/** Westfalen Bau, a partner that exchanges files through folders under `root` (in, out, archive, error); `folder` adds to its folder settings. */
export function westfalenByFolder(root: string, folder: Record<string, unknown> = {}): EdiPartner {
  const dir = (name: string) => join(root, name);
  return parseEdiPartners(
    {
      partners: [
        {
          code: 'westfalen',
          name: 'Westfalen Bau',
          usage: 'T',
          partner_isa: { qualifier: 'ZZ', id: 'WESTFALENBAU' },
          our_isa: { qualifier: 'ZZ', id: 'CROSSDOCKDIST' },
          folder: {
            inbox: dir('in'),
            outbox: dir('out'),
            archive: dir('archive'),
            error: dir('error'),
            ...folder,
          },
          odoo: { customer_id: 21 },
        },
      ],
    },
    {},
  )[0]!;
}
