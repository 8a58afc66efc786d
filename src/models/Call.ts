import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import { User } from "./User.ts";

export const CALL_OUTCOMES = ["answered", "missed", "abandoned", "busy", "failed"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export type CallDirection = "inbound" | "outbound";
export type CallStatus = "new" | "ringing" | "answered" | "ended";
export type CallbackStatus = "open" | "done" | "dismissed";

export class Call extends Model<InferAttributes<Call>, InferCreationAttributes<Call>> {
  declare id: CreationOptional<number>;
  declare pbx: string;
  declare pbxCallId: string;
  declare direction: CallDirection;
  declare callerNumber: string | null;
  declare calledNumber: string | null;
  declare queue: string | null;
  declare operatorUserId: number | null;
  declare operatorExtension: string | null;
  declare status: CallStatus;
  declare outcome: CallOutcome | null;
  declare hangupCause: number | null;
  declare hangupCauseText: string | null;
  declare startedAt: Date;
  declare ringingAt: Date | null;
  declare answeredAt: Date | null;
  declare endedAt: Date | null;
  declare durationSec: number | null;
  declare talkSec: number | null;
  declare recordingFile: string | null;
  declare partial: CreationOptional<boolean>;
  declare contactAttemptId: number | null;
  declare callbackStatus: CallbackStatus | null;
  declare callbackDueAt: Date | null;
  declare callbackReason: string | null;
  declare callbackClosedAt: Date | null;
  declare callbackClosedByUserId: number | null;
  declare callbackCallId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare operator?: NonAttribute<User | null>;

  static initModel(sequelize: Sequelize) {
    Call.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        pbx: { type: DataTypes.TEXT, allowNull: false },
        pbxCallId: { type: DataTypes.TEXT, allowNull: false },
        direction: { type: DataTypes.TEXT, allowNull: false },
        callerNumber: DataTypes.TEXT,
        calledNumber: DataTypes.TEXT,
        queue: DataTypes.TEXT,
        operatorUserId: DataTypes.INTEGER,
        operatorExtension: DataTypes.TEXT,
        status: { type: DataTypes.TEXT, allowNull: false },
        outcome: DataTypes.TEXT,
        hangupCause: DataTypes.INTEGER,
        hangupCauseText: DataTypes.TEXT,
        startedAt: { type: DataTypes.DATE, allowNull: false },
        ringingAt: DataTypes.DATE,
        answeredAt: DataTypes.DATE,
        endedAt: DataTypes.DATE,
        durationSec: DataTypes.INTEGER,
        talkSec: DataTypes.INTEGER,
        recordingFile: DataTypes.TEXT,
        partial: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        contactAttemptId: DataTypes.INTEGER,
        callbackStatus: DataTypes.TEXT,
        callbackDueAt: DataTypes.DATE,
        callbackReason: DataTypes.TEXT,
        callbackClosedAt: DataTypes.DATE,
        callbackClosedByUserId: DataTypes.INTEGER,
        callbackCallId: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "calls" },
    );
  }
}

export type LegEndReason = "answered_here" | "answered_elsewhere" | "not_answered" | "call_ended";

export class CallLeg extends Model<InferAttributes<CallLeg>, InferCreationAttributes<CallLeg>> {
  declare id: CreationOptional<number>;
  declare callId: number;
  declare legKey: string;
  declare extension: string;
  declare userId: number | null;
  declare rangAt: Date;
  declare answeredAt: Date | null;
  declare endedAt: Date | null;
  declare endReason: LegEndReason | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    CallLeg.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        callId: { type: DataTypes.INTEGER, allowNull: false },
        legKey: { type: DataTypes.TEXT, allowNull: false },
        extension: { type: DataTypes.TEXT, allowNull: false },
        userId: DataTypes.INTEGER,
        rangAt: { type: DataTypes.DATE, allowNull: false },
        answeredAt: DataTypes.DATE,
        endedAt: DataTypes.DATE,
        endReason: DataTypes.TEXT,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "call_legs", updatedAt: false },
    );
  }
}

export class CallTicket extends Model<InferAttributes<CallTicket>, InferCreationAttributes<CallTicket>> {
  declare callId: number;
  declare ticketId: number;
  declare kind: "created" | "linked";
  declare userId: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    CallTicket.init(
      {
        callId: { type: DataTypes.INTEGER, primaryKey: true },
        ticketId: { type: DataTypes.INTEGER, primaryKey: true },
        kind: { type: DataTypes.TEXT, allowNull: false },
        userId: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "call_tickets", updatedAt: false },
    );
  }
}

/** Registers the call models; called once from initModels(). */
export function initCallModels(sequelize: Sequelize): void {
  for (const m of [Call, CallLeg, CallTicket]) m.initModel(sequelize);
  Call.belongsTo(User, { as: "operator", foreignKey: "operatorUserId" });
  Call.hasMany(CallLeg, { as: "legs", foreignKey: "callId" });
  Call.hasMany(CallTicket, { as: "tickets", foreignKey: "callId" });
}
