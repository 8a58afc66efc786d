import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";

export const ORG_TYPES = ["call_centre", "management_company", "contractor", "resource_supplier", "agency", "oversight"] as const;
export type OrgType = (typeof ORG_TYPES)[number];

export class Organisation extends Model<InferAttributes<Organisation>, InferCreationAttributes<Organisation>> {
  declare id: CreationOptional<number>;
  declare type: OrgType;
  declare name: string;
  declare shortName: string;
  declare inn: string | null;
  declare kpp: string | null;
  declare ogrn: string | null;
  declare email: string | null;
  declare phone: string | null;
  declare dispatchPhone: string | null;
  declare requisites: CreationOptional<Record<string, unknown>>;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Organisation.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        type: { type: DataTypes.TEXT, allowNull: false },
        name: { type: DataTypes.TEXT, allowNull: false },
        shortName: { type: DataTypes.TEXT, allowNull: false },
        inn: DataTypes.TEXT,
        kpp: DataTypes.TEXT,
        ogrn: DataTypes.TEXT,
        email: DataTypes.TEXT,
        phone: DataTypes.TEXT,
        dispatchPhone: DataTypes.TEXT,
        requisites: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "organisations" },
    );
  }
}

export class OrganisationLink extends Model<InferAttributes<OrganisationLink>, InferCreationAttributes<OrganisationLink>> {
  declare uoId: number;
  declare providerId: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    OrganisationLink.init(
      {
        uoId: { type: DataTypes.INTEGER, primaryKey: true },
        providerId: { type: DataTypes.INTEGER, primaryKey: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "organisation_links", updatedAt: false },
    );
  }
}
