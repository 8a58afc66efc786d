// Models of onboarding, feedback, conflicts and personal data; called from initModels().
import type { Sequelize } from "sequelize";
import { ChangeRequest, ConnectionRequest, Invitation } from "./ConnectionRequest.ts";
import { Conflict, ConflictEvent } from "./Conflict.ts";
import { Organisation } from "./Organisation.ts";
import { ConsentText, PersonalDataView, ResidentConsent } from "./PersonalData.ts";

export function initOnboardingModels(sequelize: Sequelize): void {
  for (const m of [ConnectionRequest, Invitation, ChangeRequest, Conflict, ConflictEvent, PersonalDataView, ConsentText, ResidentConsent]) m.initModel(sequelize);
  Conflict.belongsTo(Organisation, { as: "notifierOrg", foreignKey: "notifierOrgId" });
  Conflict.belongsTo(Organisation, { as: "respondentOrg", foreignKey: "respondentOrgId" });
  Conflict.hasMany(ConflictEvent, { as: "events", foreignKey: "conflictId" });
}
