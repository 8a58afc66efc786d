import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { TicketStatus } from "../workflow/states.ts";
import type { Building, Apartment } from "./Building.ts";
import type { Category } from "./Category.ts";
import type { Organisation } from "./Organisation.ts";
import type { Resident } from "./Resident.ts";
import type { User } from "./User.ts";

export const TICKET_CHANNELS = ["phone", "telegram", "vk", "web", "panel", "open311", "api"] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
export const CLOSURE_KINDS = ["resident_confirmed", "operator_confirmed", "unreachable", "no_answer", "declined", "withdrawn"] as const;
export type ClosureKind = (typeof CLOSURE_KINDS)[number];

export class Ticket extends Model<InferAttributes<Ticket>, InferCreationAttributes<Ticket>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare status: TicketStatus;
  declare channel: TicketChannel;
  declare residentId: number | null;
  declare contactName: string | null;
  declare contactPhone: string | null;
  declare buildingId: number | null;
  declare apartmentId: number | null;
  declare addressText: string | null;
  declare categoryId: number;
  declare description: string;
  declare emergency: CreationOptional<boolean>;
  declare uoId: number | null;
  declare executorOrgId: number | null;
  declare executorUserId: number | null;
  declare deadlineAt: Date;
  declare deadlineBasis: string;
  declare dispatchDeadlineAt: Date | null;
  declare crewDispatchedAt: Date | null;
  declare postponedUntil: Date | null;
  declare worksDone: string | null;
  declare closureKind: ClosureKind | null;
  declare rating: number | null;
  declare ratingComment: string | null;
  declare reopenedCount: CreationOptional<number>;
  declare publishable: CreationOptional<boolean>;
  declare createdByUserId: number | null;
  declare version: CreationOptional<number>;
  declare reportedAt: Date | null;
  declare verifiedAt: Date | null;
  declare closedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare building?: NonAttribute<Building | null>;
  declare apartment?: NonAttribute<Apartment | null>;
  declare category?: NonAttribute<Category>;
  declare uo?: NonAttribute<Organisation | null>;
  declare executorOrg?: NonAttribute<Organisation | null>;
  declare executorUser?: NonAttribute<User | null>;
  declare resident?: NonAttribute<Resident | null>;
  /** The history rows a command wrote for this ticket in the current request (ticketCreator). */
  declare history?: NonAttribute<TicketHistory[]>;

  static initModel(sequelize: Sequelize) {
    Ticket.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        number: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.TEXT, allowNull: false },
        channel: { type: DataTypes.TEXT, allowNull: false },
        residentId: DataTypes.INTEGER,
        contactName: DataTypes.TEXT,
        contactPhone: DataTypes.TEXT,
        buildingId: DataTypes.INTEGER,
        apartmentId: DataTypes.INTEGER,
        addressText: DataTypes.TEXT,
        categoryId: { type: DataTypes.INTEGER, allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false },
        emergency: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        uoId: DataTypes.INTEGER,
        executorOrgId: DataTypes.INTEGER,
        executorUserId: DataTypes.INTEGER,
        deadlineAt: { type: DataTypes.DATE, allowNull: false },
        deadlineBasis: { type: DataTypes.TEXT, allowNull: false },
        dispatchDeadlineAt: DataTypes.DATE,
        crewDispatchedAt: DataTypes.DATE,
        postponedUntil: DataTypes.DATE,
        worksDone: DataTypes.TEXT,
        closureKind: DataTypes.TEXT,
        rating: DataTypes.SMALLINT,
        ratingComment: DataTypes.TEXT,
        reopenedCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        publishable: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdByUserId: DataTypes.INTEGER,
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        reportedAt: DataTypes.DATE,
        verifiedAt: DataTypes.DATE,
        closedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "tickets" },
    );
  }
}

export class TicketHistory extends Model<InferAttributes<TicketHistory>, InferCreationAttributes<TicketHistory>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare action: string;
  declare fromStatus: string | null;
  declare toStatus: string;
  declare actorKind: "user" | "resident" | "system";
  declare actorUserId: number | null;
  declare actorResidentId: number | null;
  declare actorRole: string;
  declare actorOrgId: number | null;
  declare reason: string | null;
  declare changes: CreationOptional<Record<string, { from: unknown; to: unknown }>>;
  declare createdAt: CreationOptional<Date>;
  declare actorUser?: NonAttribute<User | null>;

  static initModel(sequelize: Sequelize) {
    TicketHistory.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        ticketId: { type: DataTypes.INTEGER, allowNull: false },
        action: { type: DataTypes.TEXT, allowNull: false },
        fromStatus: DataTypes.TEXT,
        toStatus: { type: DataTypes.TEXT, allowNull: false },
        actorKind: { type: DataTypes.TEXT, allowNull: false },
        actorUserId: DataTypes.INTEGER,
        actorResidentId: DataTypes.INTEGER,
        actorRole: { type: DataTypes.TEXT, allowNull: false },
        actorOrgId: DataTypes.INTEGER,
        reason: DataTypes.TEXT,
        changes: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "ticket_history", updatedAt: false },
    );
  }
}

export const CONTACT_OUTCOMES = ["pending", "answered", "no_answer", "busy", "failed"] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

export class ContactAttempt extends Model<InferAttributes<ContactAttempt>, InferCreationAttributes<ContactAttempt>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare userId: number | null;
  declare phone: string | null;
  declare outcome: ContactOutcome;
  declare note: string | null;
  declare callRef: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ContactAttempt.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ticketId: { type: DataTypes.INTEGER, allowNull: false },
        userId: DataTypes.INTEGER,
        phone: DataTypes.TEXT,
        outcome: { type: DataTypes.TEXT, allowNull: false },
        note: DataTypes.TEXT,
        callRef: DataTypes.TEXT,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "contact_attempts" },
    );
  }
}

export const ATTACHMENT_KINDS = ["photo", "document", "work_order"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export class Attachment extends Model<InferAttributes<Attachment>, InferCreationAttributes<Attachment>> {
  declare id: CreationOptional<number>;
  declare ticketId: number | null;
  declare kind: AttachmentKind;
  declare originalName: string;
  declare mime: string;
  declare size: number;
  declare sha256: string;
  declare storageKey: string;
  declare uploadedByUserId: number | null;
  declare uploadedByResidentId: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Attachment.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ticketId: DataTypes.INTEGER,
        kind: { type: DataTypes.TEXT, allowNull: false },
        originalName: { type: DataTypes.TEXT, allowNull: false },
        mime: { type: DataTypes.TEXT, allowNull: false },
        size: { type: DataTypes.INTEGER, allowNull: false },
        sha256: { type: DataTypes.TEXT, allowNull: false },
        storageKey: { type: DataTypes.TEXT, allowNull: false },
        uploadedByUserId: DataTypes.INTEGER,
        uploadedByResidentId: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "attachments", updatedAt: false },
    );
  }
}
