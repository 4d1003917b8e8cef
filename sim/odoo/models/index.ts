/**
 * The registry of simulated models: every model the fixtures touch, plus what their
 * fields point at for display names.
 */
import { Registry, type ModelDef } from '../orm/model.ts';
import { accountModels } from './account.ts';
import { accountReferenceModels } from './account-reference.ts';
import { attachmentModels } from './attachment.ts';
import { reversalModels } from './reversal.ts';
import { returnModels } from './returns.ts';
import { automationModels } from './automation-models.ts';
import { baseReferenceModels, companyModel, partnerModel, userModel } from './base.ts';
import { mailModels, mailThreadMethods } from './mail.ts';
import { productModel, productTemplateModel } from './product.ts';
import { deliveryModels } from './purchase-delivery.ts';
import { purchaseModels } from './purchase-order.ts';
import { inventoryModels } from './inventory.ts';
import { orderpointModel } from './orderpoint.ts';
import { partnerBankModel } from './partner-bank.ts';
import { saleOrderLineModel, saleOrderModel } from './sale.ts';
import { saleWizardModels } from './sale-wizards.ts';
import { stockModels } from './stock-models.ts';
import { pickingModel } from './stock-picking.ts';
import { stockWizardModels } from './stock-wizards.ts';
import { withOdoo19FieldNames } from './renamed-19.ts';
import type { SimOdooVersion } from '../version.ts';

/** `version` 19 adds the field names Odoo 19 renamed (renamed-19.ts). */
export function createRegistry(version: SimOdooVersion = 17): Registry {
  const registry = new Registry();
  const models: ModelDef[] = [
    { ...partnerModel, methods: { ...partnerModel.methods, ...mailThreadMethods('res.partner') } },
    userModel,
    companyModel,
    ...baseReferenceModels,
    productTemplateModel,
    productModel,
    ...stockModels,
    ...inventoryModels,
    orderpointModel,
    pickingModel,
    ...stockWizardModels,
    saleOrderModel,
    saleOrderLineModel,
    ...saleWizardModels,
    ...accountModels,
    ...accountReferenceModels,
    ...reversalModels,
    ...returnModels,
    ...purchaseModels,
    partnerBankModel,
    ...deliveryModels,
    ...mailModels,
    ...attachmentModels,
    ...automationModels,
  ];
  for (const model of models) registry.add(version >= 19 ? withOdoo19FieldNames(model) : model);
  return registry;
}
