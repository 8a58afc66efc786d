import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { Organisation } from "./Organisation.ts";

export const CONFLICT_STATUSES = ["notified", "answered", "resolved", "escalated", "decided"] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];
export interface Negotiator {
  fullName: string;
  position: string;
  phones: string[];
  fax?: string | null;
  email: string;
}

export class Conflict extends Model<InferAttributes<Conflict>, InferCreationAttributes<Conflict>> {
  declare id: CreationOptional<number>;
  declare notifierOrgId: number;
  declare respondentOrgId: number;
  declare filedByUserId: number;
  declare ticketId: number | null;
  declare substance: string;
  declare circumstances: string;
  declare aroseOn: string;
  declare negotiators: Negotiator[];
  declare workingDaysLate: CreationOptional<number>;
  declare status: CreationOptional<ConflictStatus>;
  declare answer: CreationOptional<string | null>;
  declare respondentNegotiators: CreationOptional<Negotiator[] | null>;
  declare answeredAt: CreationOptional<Date | null>;
  declare escalationReason: CreationOptional<string | null>;
  declare escalatedAt: CreationOptional<Date | null>;
  declare decision: CreationOptional<string | null>;
  declare decidedByUserId: CreationOptional<number | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare resolvedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare notifierOrg?: NonAttribute<Organisation>;
  declare respondentOrg?: NonAttribute<Organisation>;
  declare events?: NonAttribute<ConflictEvent[]>;

  static initModel(sequelize: Sequelize) {
    Conflict.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        notifierOrgId: { type: DataTypes.INTEGER, allowNull: false },
        respondentOrgId: { type: DataTypes.INTEGER, allowNull: false },
        filedByUserId: { type: DataTypes.INTEGER, allowNull: false },
        ticketId: DataTypes.INTEGER,
        substance: { type: DataTypes.TEXT, allowNull: false },
        circumstances: { type: DataTypes.TEXT, allowNull: false },
        aroseOn: { type: DataTypes.DATEONLY, allowNull: false },
        negotiators: { type: DataTypes.JSONB, allowNull: false },
        workingDaysLate: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        status: { type: DataTypes.TEXT, allowNull: false, defaultValue: "notified" },
        answer: DataTypes.TEXT,
        respondentNegotiators: DataTypes.JSONB,
        answeredAt: DataTypes.DATE,
        escalationReason: DataTypes.TEXT,
        escalatedAt: DataTypes.DATE,
        decision: DataTypes.TEXT,
        decidedByUserId: DataTypes.INTEGER,
        decidedAt: DataTypes.DATE,
        resolvedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "conflicts" },
    );
  }
}

export class ConflictEvent extends Model<InferAttributes<ConflictEvent>, InferCreationAttributes<ConflictEvent>> {
  declare id: CreationOptional<number>;
  declare conflictId: number;
  declare action: string;
  declare actorUserId: number | null;
  declare actorOrgId: number | null;
  declare text: string | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ConflictEvent.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        conflictId: { type: DataTypes.INTEGER, allowNull: false },
        action: { type: DataTypes.TEXT, allowNull: false },
        actorUserId: DataTypes.INTEGER,
        actorOrgId: DataTypes.INTEGER,
        text: DataTypes.TEXT,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "conflict_events", updatedAt: false },
    );
  }
}
