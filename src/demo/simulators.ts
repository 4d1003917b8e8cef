/**
 * The demo's one door to the simulators (sim/): no other file in src/ imports sim/, which
 * eslint.config.js enforces. The simulators are demo and test code, so the commands that run
 * them (`demo`, `sim`) load them only when they run, by dynamic import; no other command
 * reaches this module (test/unit/cli-imports.test.ts).
 */
export {
  DEFAULT_CARRIER_PROFILES,
  startCarrierSimulator,
  type CarrierProfile,
  type CarrierSimulator,
} from '../../sim/carriers/index.ts';
export {
  startOdooSimulator,
  type ForgetKeep,
  type OdooSimulator,
  type SimOdooVersion,
} from '../../sim/odoo/index.ts';
export {
  ediFolderPartner,
  startEdiPartnerSimulator,
  type EdiFolderPartner,
  type EdiPartnerSimulator,
} from '../../sim/edi/index.ts';
export {
  startShopSimulator,
  type ShopOrder,
  type ShopOrderInput,
  type ShopSimulator,
} from '../../sim/shop/index.ts';
