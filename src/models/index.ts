// Initialises every model and declares associations. Models hold columns and associations only.
import type { Sequelize } from "sequelize";
import { Organisation, OrganisationLink } from "./Organisation.ts";
import { User } from "./User.ts";
import { Session, ApiToken } from "./Session.ts";
import { Building, Apartment } from "./Building.ts";
import { Resident, ResidentApartment, MessengerIdentity } from "./Resident.ts";
import { Category } from "./Category.ts";
import { Ticket, TicketHistory, ContactAttempt, Attachment } from "./Ticket.ts";
import { initNotificationModels } from "./Notification.ts";
import { initBotModels } from "./BotSession.ts";
import { initCallModels } from "./Call.ts";
import { initOnboardingModels } from "./onboarding.ts";

export * from "./Organisation.ts";
export * from "./User.ts";
export * from "./Session.ts";
export * from "./Building.ts";
export * from "./Resident.ts";
export * from "./Category.ts";
export * from "./Ticket.ts";

let initialised: Sequelize | undefined;

export function initModels(sequelize: Sequelize): void {
  if (initialised === sequelize) return;
  initialised = sequelize;
  for (const m of [Organisation, OrganisationLink, User, Session, ApiToken, Building, Apartment, Resident, ResidentApartment, MessengerIdentity, Category, Ticket, TicketHistory, ContactAttempt, Attachment]) {
    m.initModel(sequelize);
  }
  initBotModels(sequelize);
  initOnboardingModels(sequelize);
  User.belongsTo(Organisation, { as: "organisation", foreignKey: "organisationId" });
  ApiToken.belongsTo(User, { as: "user", foreignKey: "userId" });
  Session.belongsTo(User, { as: "user", foreignKey: "userId" });
  MessengerIdentity.belongsTo(Resident, { as: "resident", foreignKey: "residentId" });
  Building.belongsTo(Organisation, { as: "uo", foreignKey: "uoId" });
  Apartment.belongsTo(Building, { as: "building", foreignKey: "buildingId" });
  Building.hasMany(Apartment, { as: "apartments", foreignKey: "buildingId" });
  Resident.belongsToMany(Apartment, { through: ResidentApartment, as: "apartments", foreignKey: "residentId", otherKey: "apartmentId" });
  Apartment.belongsToMany(Resident, { through: ResidentApartment, as: "residents", foreignKey: "apartmentId", otherKey: "residentId" });
  Ticket.belongsTo(Building, { as: "building", foreignKey: "buildingId" });
  Ticket.belongsTo(Apartment, { as: "apartment", foreignKey: "apartmentId" });
  Ticket.belongsTo(Category, { as: "category", foreignKey: "categoryId" });
  Ticket.belongsTo(Organisation, { as: "uo", foreignKey: "uoId" });
  Ticket.belongsTo(Organisation, { as: "executorOrg", foreignKey: "executorOrgId" });
  Ticket.belongsTo(User, { as: "executorUser", foreignKey: "executorUserId" });
  Ticket.belongsTo(Resident, { as: "resident", foreignKey: "residentId" });
  TicketHistory.belongsTo(User, { as: "actorUser", foreignKey: "actorUserId" });
  Ticket.hasMany(TicketHistory, { as: "history", foreignKey: "ticketId" });
  Ticket.hasMany(Attachment, { as: "attachments", foreignKey: "ticketId" });
  Ticket.hasMany(ContactAttempt, { as: "contactAttempts", foreignKey: "ticketId" });
  initNotificationModels(sequelize);
  initCallModels(sequelize);
}
