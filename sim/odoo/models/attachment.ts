/**
 * ir.attachment, as far as Crossdock uses it: a document linked to a record (res_model,
 * res_id), held as a URL (type "url") or as base64 data (type "binary"). The chatter and
 * the web client list a record's attachments by res_model and res_id. Not in the recorded
 * fixtures: the fields are Odoo 17's, the storage of binary data is not modelled (datas is
 * kept as given).
 */
import { f } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';
import { defineModel } from './define.ts';

export const attachmentModels: ModelDef[] = [
  defineModel({
    name: 'ir.attachment',
    description: 'Attachment',
    order: 'id desc',
    fields: {
      name: f.char('Name', { required: true }),
      description: f.text('Description'),
      res_model: f.char('Resource Model'),
      res_id: f.int('Resource ID'),
      type: f.selection(
        'Type',
        [
          ['url', 'URL'],
          ['binary', 'File'],
        ],
        { required: true, default: () => 'binary' },
      ),
      url: f.char('Url'),
      datas: f.char('File Content (base64)'),
      mimetype: f.char('Mime Type'),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
  }),
];
