import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";
import type { OrgType } from "./Organisation.ts";

export type ConnectableOrgType = Extract<OrgType, "management_company" | "contractor" | "resource_supplier">;
export interface StaffEntry {
  fullName: string;
  position: string;
  email: string;
  phone?: string | null;
}
export interface ServedEntry {
  name: string;
  inn?: string | null;
}

export class ConnectionRequest extends Model<InferAttributes<ConnectionRequest>, InferCreationAttributes<ConnectionRequest>> {
  declare id: CreationOptional<number>;
  declare orgType: ConnectableOrgType;
  declare status: CreationOptional<"submitted" | "approved" | "rejected">;
  declare card: Record<string, string>;
  declare staff: StaffEntry[];
  declare served: ServedEntry[];
  declare buildings: CreationOptional<Array<Record<string, unknown>>>;
  declare requesterName: string;
  declare requesterEmail: string;
  declare rejectReason: CreationOptional<string | null>;
  declare organisationId: CreationOptional<number | null>;
  declare reviewedByUserId: CreationOptional<number | null>;
  declare reviewedAt: CreationOptional<Date | null>;
  declare result: CreationOptional<Record<string, unknown> | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ConnectionRequest.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        orgType: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.TEXT, allowNull: false, defaultValue: "submitted" },
        card: { type: DataTypes.JSONB, allowNull: false },
        staff: { type: DataTypes.JSONB, allowNull: false },
        served: { type: DataTypes.JSONB, allowNull: false },
        buildings: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        requesterName: { type: DataTypes.TEXT, allowNull: false },
        requesterEmail: { type: DataTypes.TEXT, allowNull: false },
        rejectReason: DataTypes.TEXT,
        organisationId: DataTypes.INTEGER,
        reviewedByUserId: DataTypes.INTEGER,
        reviewedAt: DataTypes.DATE,
        result: DataTypes.JSONB,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "connection_requests" },
    );
  }
}

export class Invitation extends Model<InferAttributes<Invitation>, InferCreationAttributes<Invitation>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Invitation.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        tokenHash: { type: DataTypes.TEXT, allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        usedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "invitations", updatedAt: false },
    );
  }
}

export class ChangeRequest extends Model<InferAttributes<ChangeRequest>, InferCreationAttributes<ChangeRequest>> {
  declare id: CreationOptional<number>;
  declare organisationId: number;
  declare requestedByUserId: number;
  declare changes: Record<string, string>;
  declare comment: string | null;
  declare status: CreationOptional<"pending" | "applied" | "refused">;
  declare before: CreationOptional<Record<string, unknown> | null>;
  declare after: CreationOptional<Record<string, unknown> | null>;
  declare reviewReason: CreationOptional<string | null>;
  declare reviewedByUserId: CreationOptional<number | null>;
  declare reviewedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ChangeRequest.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        organisationId: { type: DataTypes.INTEGER, allowNull: false },
        requestedByUserId: { type: DataTypes.INTEGER, allowNull: false },
        changes: { type: DataTypes.JSONB, allowNull: false },
        comment: DataTypes.TEXT,
        status: { type: DataTypes.TEXT, allowNull: false, defaultValue: "pending" },
        before: DataTypes.JSONB,
        after: DataTypes.JSONB,
        reviewReason: DataTypes.TEXT,
        reviewedByUserId: DataTypes.INTEGER,
        reviewedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "change_requests" },
    );
  }
}
